import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from './testing/tls-server.js';
import { mysqlSslOptions, mysqlTlsStream } from './tls-options.js';

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

describe('mysqlTlsStream', () => {
  const verifyFull = { rejectUnauthorized: true, verifyIdentity: true };
  let dir: string;
  let pki: TestPki;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lynq-mysql-tls-unit-'));
    pki = await createTestPki(dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is only for verify-full to an IP address', () => {
    expect(mysqlTlsStream('db.example', 3306, verifyFull)).toBeUndefined();
    expect(
      mysqlTlsStream('10.0.0.5', 3306, { ...verifyFull, verifyIdentity: false }),
    ).toBeUndefined();
    expect(mysqlTlsStream('10.0.0.5', 3306, { rejectUnauthorized: false })).toBeUndefined();
    expect(mysqlTlsStream('10.0.0.5', 3306, undefined)).toBeUndefined();
    expect(mysqlTlsStream('10.0.0.5', 3306, verifyFull)).toBeTypeOf('function');
  });

  /** A TLS handshake on the stream, with the options mysql2 passes for verify-full. */
  async function handshake(address: string): Promise<string> {
    const server = createServer({
      cert: readFileSync(pki.serverCertFile),
      key: readFileSync(pki.serverKeyFile),
    });
    server.on('secureConnection', (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    const { port } = server.address() as { port: number };
    try {
      const socket = mysqlTlsStream(address, port, verifyFull)!();
      return await new Promise<string>((resolve) => {
        const secure = connect(
          { socket, ca: pki.caPem, rejectUnauthorized: true, checkServerIdentity },
          () => {
            secure.destroy();
            resolve('verified');
          },
        );
        secure.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('checks the certificate against the address, not "localhost"', async () => {
    // The certificate names IP 127.0.0.1 and DNS localhost. Without the stream, Node checked
    // 127.0.0.2 as "localhost" and let it through.
    expect(await handshake('127.0.0.1')).toBe('verified');
    expect(await handshake('127.0.0.2')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
