import { describe, expect, it } from 'vitest';
import { pgSslOptions } from './tls-options.js';

const resolve = () => Promise.resolve('PEM');

describe('pgSslOptions', () => {
  it('maps each mode like libpq sslmode', async () => {
    expect(await pgSslOptions(undefined, resolve)).toBe(false);
    expect(await pgSslOptions({ mode: 'disable' }, resolve)).toBe(false);
    expect(await pgSslOptions({ mode: 'require' }, resolve)).toEqual({ rejectUnauthorized: false });
    const ca = await pgSslOptions(
      { mode: 'verify-ca', caSecretRef: { name: 'c', key: 'k' } },
      resolve,
    );
    expect(ca).toMatchObject({ ca: 'PEM', rejectUnauthorized: true });
    expect((ca as { checkServerIdentity: () => unknown }).checkServerIdentity()).toBeUndefined();
    const full = await pgSslOptions({ mode: 'verify-full' }, resolve);
    expect(full).toEqual({ rejectUnauthorized: true });
  });
});
