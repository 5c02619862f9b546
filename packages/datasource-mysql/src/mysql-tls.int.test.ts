// TLS against a real MariaDB that speaks it: a throwaway server started by this file (the
// machine's MariaDB has TLS disabled), with a CA and a server certificate made by openssl.
import type { DatabaseTls, TlsMode } from '@lynq/api';
import { type Datasource, type FetchResult } from '@lynq/datasource';
import { datasourceRejection } from '@lynq/datasource/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import { mysqlContext } from './testing/fixtures.js';
import { startTlsServer, type TlsServer } from './testing/tls-server.js';

let server: TlsServer | undefined;
const open: Datasource[] = [];

beforeAll(async () => {
  server = await startTlsServer();
});

afterAll(async () => {
  const closed = await Promise.allSettled(open.map((d) => d.close()));
  await server?.stop();
  const failed = closed.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
});

function tlsServer(): TlsServer {
  if (server === undefined) throw new Error('the TLS MariaDB did not start');
  return server;
}

const caRef = { name: 'db-ca', key: 'ca.crt' };
const otherCaRef = { name: 'other-ca', key: 'ca.crt' };

/**
 * A datasource for the server's tenants table. `user: 'tls'` is a user the server only accepts
 * over TLS, so a fetch with it proves the connection was encrypted.
 */
async function datasource(
  host: string,
  user: 'tls' | 'plain',
  tls: DatabaseTls | undefined,
): Promise<Datasource> {
  const s = tlsServer();
  const { name, password } = user === 'tls' ? s.tlsUser : s.plainUser;
  const ds = await createMysqlDatasource(
    mysqlContext(s.table, {
      source: {
        host,
        port: s.port,
        username: name,
        passwordRef: { name: 'db-credentials', key: name },
        database: s.database,
        tls,
      },
      secrets: {
        [`db-credentials/${name}`]: password,
        'db-ca/ca.crt': s.pki.caPem,
        'other-ca/ca.crt': s.pki.otherCaPem,
      },
      extra: { plan: 'plan' },
    }),
  );
  open.push(ds);
  return ds;
}

const fetch = (ds: Datasource) => ds.fetchRows(AbortSignal.timeout(15_000));

const failure = datasourceRejection;

const rowsOf = (result: FetchResult) => [...result.rows].sort((a, b) => (a.uid < b.uid ? -1 : 1));

const tenants = [
  { uid: 'acme', activate: '1', active: true, extras: { plan: 'gold' } },
  { uid: 'globex', activate: '0', active: false, extras: { plan: '' } },
  { uid: 'initech', activate: 'true', active: true, extras: { plan: 'silver' } },
];

describe('MySQL datasource: TLS against a MariaDB that speaks it', () => {
  it('connects with each TLS mode', async () => {
    const s = tlsServer();
    const cases: [TlsMode, string, 'tls' | 'plain'][] = [
      ['disable', s.host, 'plain'],
      ['require', s.host, 'tls'],
      // require checks no certificate, so an address the certificate does not name is fine.
      ['require', s.unnamedHost, 'tls'],
      ['verify-ca', s.host, 'tls'],
      // verify-ca checks the chain only, not the name.
      ['verify-ca', s.unnamedHost, 'tls'],
      // The certificate names both: IP 127.0.0.1 and DNS localhost.
      ['verify-full', s.host, 'tls'],
      ['verify-full', 'localhost', 'tls'],
    ];
    for (const [mode, host, user] of cases) {
      const ds = await datasource(host, user, { mode, caSecretRef: caRef });
      const result = await fetch(ds);
      expect(rowsOf(result), `${mode} to ${host}`).toEqual(tenants);
      expect(result.problems).toEqual([]);
      expect(ds.describe().target).toContain(`tls=${mode}`);
    }
  });

  it('fails verify-full to an address the certificate does not name', async () => {
    const s = tlsServer();
    const err = await failure(
      fetch(await datasource(s.unnamedHost, 'tls', { mode: 'verify-full', caSecretRef: caRef })),
    );
    expect(err.code).toBe('TLS_FAILED');
    expect(err.message).toMatch(
      /^TLS to MySQL at 127\.0\.0\.2:\d+ failed: Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.2 is not in the cert's list/,
    );
  });

  it('fails verify-ca and verify-full with a CA that did not sign the server certificate', async () => {
    const s = tlsServer();
    for (const mode of ['verify-ca', 'verify-full'] as const) {
      const err = await failure(
        fetch(await datasource(s.host, 'tls', { mode, caSecretRef: otherCaRef })),
      );
      expect(err.code, mode).toBe('TLS_FAILED');
      expect(err.message, mode).toMatch(/^TLS to MySQL at 127\.0\.0\.1:\d+ failed: /);
    }
  });

  it('checks verify-ca without caSecretRef against the system roots, which lack the test CA', async () => {
    const s = tlsServer();
    const err = await failure(fetch(await datasource(s.host, 'tls', { mode: 'verify-ca' })));
    expect(err.code).toBe('TLS_FAILED');
    expect(err.message).toMatch(/^TLS to MySQL at 127\.0\.0\.1:\d+ failed: /);
  });

  it('says that TLS may be needed when a server that requires it refuses mode disable', async () => {
    const s = tlsServer();
    const admin = await s.admin();
    try {
      await admin.query('SET GLOBAL require_secure_transport = ON');
      const err = await failure(fetch(await datasource(s.host, 'plain', { mode: 'disable' })));
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toMatch(
        /^MySQL at 127\.0\.0\.1:\d+ refused access: Access denied for user 'lynq_plain'@'127\.0\.0\.1' \(using password: YES\) \(the connection is not encrypted: if the server requires TLS, set spec\.source\.mysql\.tls\.mode\)$/,
      );
      // The same user over TLS is let in.
      const ds = await datasource(s.host, 'plain', { mode: 'verify-full', caSecretRef: caRef });
      expect(rowsOf(await fetch(ds))).toEqual(tenants);
    } finally {
      await admin.query('SET GLOBAL require_secure_transport = OFF');
      await admin.end();
    }
  });
});
