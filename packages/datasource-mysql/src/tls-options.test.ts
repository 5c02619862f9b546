import { describe, expect, it } from 'vitest';
import { mysqlSslOptions } from './tls-options.js';

const resolve = (ref: { name: string; key: string }) =>
  ref.name === 'ca' ? Promise.resolve('PEM') : Promise.reject(new Error('no such secret'));

describe('mysqlSslOptions', () => {
  it('maps each mode', async () => {
    expect(await mysqlSslOptions(undefined, resolve)).toBeUndefined();
    expect(await mysqlSslOptions({ mode: 'disable' }, resolve)).toBeUndefined();
    expect(await mysqlSslOptions({ mode: 'require' }, resolve)).toEqual({
      rejectUnauthorized: false,
    });
    expect(await mysqlSslOptions({ mode: 'verify-ca' }, resolve)).toEqual({
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
    expect(
      await mysqlSslOptions(
        { mode: 'verify-full', caSecretRef: { name: 'ca', key: 'ca.crt' } },
        resolve,
      ),
    ).toEqual({
      ca: 'PEM',
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });

  it('names the field of an unreadable CA', async () => {
    await expect(
      mysqlSslOptions({ mode: 'verify-ca', caSecretRef: { name: 'x', key: 'k' } }, resolve),
    ).rejects.toMatchObject({
      code: 'SECRET_UNAVAILABLE',
      fields: ['spec.source.mysql.tls.caSecretRef'],
      message:
        'spec.source.mysql.tls.caSecretRef: cannot read key "k" of Secret "x": no such secret',
    });
  });
});
