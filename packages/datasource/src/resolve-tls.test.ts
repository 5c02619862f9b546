import { describe, expect, it } from 'vitest';
import { resolveTls } from './resolve-tls.js';

const resolve = (ref: { name: string }) =>
  ref.name === 'ca' ? Promise.resolve('PEM') : Promise.reject(new Error('gone'));

describe('resolveTls', () => {
  it('decides the mode and reads the CA only for the verifying modes', async () => {
    expect(await resolveTls(undefined, resolve, 'spec.source.x.tls')).toEqual({ mode: 'disable' });
    expect(
      await resolveTls({ mode: 'require', caSecretRef: { name: 'bad', key: 'k' } }, resolve, 'f'),
    ).toEqual({ mode: 'require' });
    expect(await resolveTls({ mode: 'verify-ca' }, resolve, 'f')).toEqual({ mode: 'verify-ca' });
    expect(
      await resolveTls(
        { mode: 'verify-full', caSecretRef: { name: 'ca', key: 'k' } },
        resolve,
        'f',
      ),
    ).toEqual({ mode: 'verify-full', ca: 'PEM' });
  });

  it('names the CA field when its Secret cannot be read', async () => {
    await expect(
      resolveTls({ mode: 'verify-ca', caSecretRef: { name: 'bad', key: 'k' } }, resolve, 'spec.t'),
    ).rejects.toMatchObject({ code: 'SECRET_UNAVAILABLE', fields: ['spec.t.caSecretRef'] });
  });
});
