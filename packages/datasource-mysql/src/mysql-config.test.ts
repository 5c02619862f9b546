// The driver checks its own configuration, whatever its caller validated before.
import { datasourceRejection } from '@lynq/datasource/testing';
import type { MySqlSource } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import { mysqlContext, type ContextOptions } from './testing/fixtures.js';

/** The INVALID_CONFIG a source or limits are refused with (no server is contacted). */
async function refusal(source: Record<string, unknown>, options: ContextOptions = {}) {
  const err = await datasourceRejection(
    createMysqlDatasource(
      mysqlContext('tenants', { ...options, source: source as Partial<MySqlSource> }),
    ),
  );
  expect(err.code).toBe('INVALID_CONFIG');
  expect(err.retryable).toBe(false);
  expect(err.hub).toBe('default/hub-under-test');
  return err;
}

describe('MySQL datasource configuration', () => {
  it('refuses an empty username instead of failing as a retryable query error', async () => {
    const err = await refusal({ username: '' });
    expect(err.fields).toEqual(['spec.source.mysql.username']);
    expect(err.message).toBe(
      'spec.source.mysql.username must be a non-empty string, got "" (a string)',
    );
  });

  it('names every field of the wrong type and shows what it got', async () => {
    const err = await refusal({ host: 5, port: '3306', database: undefined, table: '' });
    expect(err.fields).toEqual([
      'spec.source.mysql.host',
      'spec.source.mysql.port',
      'spec.source.mysql.database',
      'spec.source.mysql.table',
    ]);
    expect(err.message).toContain('spec.source.mysql.database is required');
    expect(err.message).toContain(
      'spec.source.mysql.port must be an integer from 1 to 65535, got "3306" (a string)',
    );
    expect(err.message).toContain(
      'spec.source.mysql.table must be a non-empty string, got "" (a string)',
    );
  });

  it('refuses a port outside 1-65535', async () => {
    const err = await refusal({ port: 70000 });
    expect(err.fields).toEqual(['spec.source.mysql.port']);
  });

  it('reports a NUL in the database part of table under table', async () => {
    const err = await refusal({ table: 'app\0.tenants' });
    expect(err.fields).toEqual(['spec.source.mysql.table']);
  });

  it('shows that a limit given as a string is a string', async () => {
    const err = await refusal({}, { limits: { poolSize: '5' as unknown as number } });
    expect(err.message).toBe(
      'datasource limit poolSize must be a positive integer, got "5" (a string)',
    );
    const idle = await refusal({}, { limits: { idleTimeoutMs: 0 } });
    expect(idle.message).toBe('datasource limit idleTimeoutMs must be a positive integer, got 0');
  });
});
