import type { PostgresSource } from '@lynq/api';
import { datasourceRejection, testDatasourceContext } from '@lynq/datasource/testing';
import { describe, expect, it } from 'vitest';
import { createPgDatasource } from './pg-datasource.js';

const valid = {
  host: '127.0.0.1',
  port: 5432,
  username: 'postgres',
  database: 'test',
  schema: 'public',
  table: 'tenants',
};

/** createPgDatasource for a source section built from `valid` with `change` applied. */
function create(change: (source: Record<string, unknown>) => void) {
  const source: Record<string, unknown> = { ...valid };
  change(source);
  return createPgDatasource(
    testDatasourceContext({
      type: 'postgresql',
      syncInterval: '30s',
      postgresql: source as PostgresSource,
    }),
  );
}

describe('createPgDatasource: the source section', () => {
  it.each([
    [
      'an empty database',
      (s: Record<string, unknown>) => (s['database'] = ''),
      'spec.source.postgresql.database',
      'spec.source.postgresql.database must be a non-empty string, got "" (a string)',
    ],
    [
      'no database',
      (s: Record<string, unknown>) => delete s['database'],
      'spec.source.postgresql.database',
      'spec.source.postgresql.database is required',
    ],
    [
      'an empty host',
      (s: Record<string, unknown>) => (s['host'] = ''),
      'spec.source.postgresql.host',
      'spec.source.postgresql.host must be a non-empty string, got "" (a string)',
    ],
    [
      'a port given as text',
      (s: Record<string, unknown>) => (s['port'] = '5432'),
      'spec.source.postgresql.port',
      'spec.source.postgresql.port must be an integer from 1 to 65535, got "5432" (a string)',
    ],
    [
      'an empty schema',
      (s: Record<string, unknown>) => (s['schema'] = ''),
      'spec.source.postgresql.schema',
      'spec.source.postgresql.schema must be a non-empty string, got "" (a string)',
    ],
    [
      'no username',
      (s: Record<string, unknown>) => delete s['username'],
      'spec.source.postgresql.username',
      'spec.source.postgresql.username is required',
    ],
    [
      'an unknown TLS mode',
      (s: Record<string, unknown>) => (s['tls'] = { mode: 'prefer' }),
      'spec.source.postgresql.tls.mode',
      'spec.source.postgresql.tls.mode must be one of disable, require, verify-ca, verify-full, got "prefer" (a string)',
    ],
  ])('refuses %s with INVALID_CONFIG naming the field', async (_, change, field, message) => {
    const err = await datasourceRejection(create(change));
    expect(err).toMatchObject({
      code: 'INVALID_CONFIG',
      fields: [field],
      message,
      hub: 'default/hub-under-test',
      type: 'postgresql',
      retryable: false,
    });
  });

  it('refuses a missing section', async () => {
    const err = await datasourceRejection(
      createPgDatasource(testDatasourceContext({ type: 'postgresql', syncInterval: '30s' })),
    );
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', fields: ['spec.source.postgresql'] });
  });

  it('applies the CRD defaults for port and schema', async () => {
    const ds = await create((s) => {
      delete s['port'];
      delete s['schema'];
    });
    expect(ds.describe().target).toBe(
      'postgresql://postgres@127.0.0.1:5432/test/public.tenants?tls=disable',
    );
    await ds.close();
  });

  it('refuses a limit given as text, saying it is text', async () => {
    const err = await datasourceRejection(
      createPgDatasource(
        testDatasourceContext(
          { type: 'postgresql', syncInterval: '30s', postgresql: valid },
          { limits: { poolSize: '5' as unknown as number } },
        ),
      ),
    );
    expect(err.message).toBe(
      'datasource limit poolSize must be a positive integer, got "5" (a string)',
    );
  });
});
