// Test fixtures for the MariaDB/MySQL integration tests (not part of the published API).
import { type DatasourceContext } from '@lynq/datasource';
import { testDatasourceContext, type TestContextOptions } from '@lynq/datasource/testing';
import type { MySqlSource } from '@lynq/api';
import { mysqlUrl, uniqueName } from '@lynq/testkit';
import mysql from 'mysql2/promise';

/** The test server, from LYNQ_TEST_MYSQL_URL (default root@127.0.0.1:3306/test). */
export function serverSource(): Omit<MySqlSource, 'table'> {
  const url = new URL(mysqlUrl());
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    username: decodeURIComponent(url.username || 'root'),
    database: url.pathname.replace(/^\//, '') || 'test',
  };
}

export function adminConnection() {
  return mysql.createConnection({ uri: mysqlUrl(), multipleStatements: false });
}

export interface ContextOptions extends TestContextOptions {
  source?: Partial<MySqlSource>;
}

export function mysqlContext(table: string, options: ContextOptions = {}): DatasourceContext {
  return testDatasourceContext(
    {
      type: 'mysql',
      syncInterval: '30s',
      mysql: { ...serverSource(), table, ...options.source },
    },
    options,
  );
}

/** Inserts rows in batches of 1,000 (portable across MySQL and MariaDB, no sequence engine). */
export async function insertRows(
  conn: mysql.Connection,
  table: string,
  columns: string[],
  count: number,
  row: (i: number) => (string | number | null)[],
): Promise<void> {
  const quoted = columns.map((c) => conn.escapeId(c)).join(', ');
  for (let start = 0; start < count; start += 1000) {
    const batch: (string | number | null)[][] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) batch.push(row(i));
    await conn.query(`INSERT INTO ${conn.escapeId(table)} (${quoted}) VALUES ?`, [batch]);
  }
}

/** A unique MariaDB user with a password and SELECT on the test database; drop() removes it. */
export async function createUser(conn: mysql.Connection, database: string) {
  const name = uniqueName('lynq_u', '_').slice(0, 32);
  const password = `pw-${uniqueName('x', '_')}`;
  await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
  await conn.query(`GRANT SELECT ON ${conn.escapeId(database)}.* TO ?@?`, [name, '%']);
  return {
    name,
    password,
    drop: () => conn.query('DROP USER IF EXISTS ?@?', [name, '%']).then(() => undefined),
  };
}
