import { describe, expect, it } from 'vitest';
import { DatasourceError } from './errors.js';
import { datasourceRejection, testDatasourceContext } from './test-context.js';

describe('datasourceRejection', () => {
  const error = new DatasourceError({
    code: 'TIMEOUT',
    message: 'too slow',
    hub: 'default/hub',
    type: 'test',
  });

  it('returns the DatasourceError a promise rejects with', async () => {
    expect(await datasourceRejection(Promise.reject(error))).toBe(error);
  });

  it('rethrows other rejections and fails when the promise resolves', async () => {
    const other = new TypeError('not a datasource error');
    await expect(datasourceRejection(Promise.reject(other))).rejects.toBe(other);
    await expect(datasourceRejection(Promise.resolve('rows'))).rejects.toThrow(/resolved/);
  });
});

describe('testDatasourceContext', () => {
  it('serves Secrets from the map and names a missing one', async () => {
    const ctx = testDatasourceContext(
      { type: 'test', syncInterval: '1m' },
      { secrets: { 'db/password': 's3cret' } },
    );
    expect(await ctx.resolveSecret({ name: 'db', key: 'password' })).toBe('s3cret');
    await expect(ctx.resolveSecret({ name: 'db', key: 'user' })).rejects.toThrow(/user/);
  });
});
