// Test fixtures for the PostgreSQL integration tests (not part of the published API).
import type { PostgresSource } from '@lynq/api';
import { type DatasourceContext } from '@lynq/datasource';
import { testDatasourceContext, type TestContextOptions } from '@lynq/datasource/testing';
import { pgUrl, uniqueName } from '@lynq/testkit';
import pg from 'pg';

/** The test server, from LYNQ_TEST_PG_URL (default postgres@127.0.0.1:5432/test). */
export function serverSource(): Omit<PostgresSource, 'table' | 'schema'> {
  const url = new URL(pgUrl());
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username || 'postgres'),
    database: url.pathname.replace(/^\//, '') || 'test',
  };
}

export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: pgUrl() });
  await client.connect();
  return client;
}

export interface ContextOptions extends TestContextOptions {
  source?: Partial<PostgresSource>;
}

export function pgContext(
  schema: string,
  table: string,
  options: ContextOptions = {},
): DatasourceContext {
  return testDatasourceContext(
    {
      type: 'postgresql',
      syncInterval: '30s',
      postgresql: { ...serverSource(), schema, table, ...options.source },
    },
    options,
  );
}

/** A unique login role that may read `schema`; drop() removes it. */
export async function createRole(admin: pg.Client, schema: string) {
  const name = uniqueName('lynq_r', '_');
  const id = admin.escapeIdentifier(name);
  await admin.query(`CREATE ROLE ${id} LOGIN PASSWORD 'unused-with-trust-auth'`);
  await admin.query(`GRANT USAGE ON SCHEMA ${admin.escapeIdentifier(schema)} TO ${id}`);
  await admin.query(
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${admin.escapeIdentifier(schema)} TO ${id}`,
  );
  return {
    name,
    drop: async () => {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`,
        [name],
      );
      await admin.query(`DROP OWNED BY ${id}`);
      await admin.query(`DROP ROLE IF EXISTS ${id}`);
    },
  };
}
