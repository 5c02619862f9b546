// A throwaway MariaDB that speaks TLS, for the TLS integration tests (not part of the published
// API). The machine's MariaDB has TLS disabled and must stay as it is, so each test file that
// needs TLS starts its own server in a temporary directory and removes it afterwards.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@lynq/testkit';
import mysql from 'mysql2/promise';

const run = promisify(execFile);

const INSTALL_DB = 'mariadb-install-db';
const MARIADBD = '/usr/sbin/mariadbd';

/** A problem starting or stopping the test server. */
export class TlsServerError extends Error {
  override readonly name = 'TlsServerError';
}

/** PEM files in `dir`: a CA, a server certificate it signed, and an unrelated second CA. */
export interface TestPki {
  caFile: string;
  caPem: string;
  /** Names IP 127.0.0.1 and DNS localhost, nothing else. */
  serverCertFile: string;
  serverKeyFile: string;
  /** A CA that signed nothing the server presents. */
  otherCaPem: string;
}

/** Runs `openssl` in `dir`; `args` is split on spaces (no argument here contains one). */
async function openssl(dir: string, args: string): Promise<void> {
  try {
    await run('openssl', args.split(' '), { cwd: dir });
  } catch (err) {
    throw new TlsServerError(`openssl ${args} failed`, { cause: err });
  }
}

const P256 = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';

const selfSignedCa = (dir: string, name: string) =>
  openssl(dir, `req -x509 ${P256} -days 2 -subj /CN=${name} -keyout ${name}.key -out ${name}.crt`);

/** Creates the certificates with `openssl` in `dir` (EC keys: generating them is instant). */
export async function createTestPki(dir: string): Promise<TestPki> {
  await Promise.all([selfSignedCa(dir, 'lynq-test-ca'), selfSignedCa(dir, 'lynq-other-ca')]);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'subjectAltName = IP:127.0.0.1, DNS:localhost',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      '',
    ].join('\n'),
  );
  await openssl(
    dir,
    `req -new ${P256} -subj /CN=lynq-test-server -keyout server.key -out server.csr`,
  );
  await openssl(
    dir,
    'x509 -req -in server.csr -days 2 -sha256 -extfile server.ext -CA lynq-test-ca.crt ' +
      '-CAkey lynq-test-ca.key -CAcreateserial -out server.crt',
  );
  return {
    caFile: join(dir, 'lynq-test-ca.crt'),
    caPem: readFileSync(join(dir, 'lynq-test-ca.crt'), 'utf8'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    otherCaPem: readFileSync(join(dir, 'lynq-other-ca.crt'), 'utf8'),
  };
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TlsServer {
  /** The address the certificate names. */
  host: '127.0.0.1';
  /** A second loopback address the server listens on, which the certificate does not name. */
  unnamedHost: '127.0.0.2';
  port: number;
  /** Holds `tenants` (id, active, plan) with three rows. */
  database: string;
  table: string;
  pki: TestPki;
  /** A user that the server only lets in over TLS, so a fetch with it proves TLS was used. */
  tlsUser: { name: string; password: string };
  /** A user that may connect without TLS. */
  plainUser: { name: string; password: string };
  /** A root session over the server's Unix socket (unaffected by require_secure_transport). */
  admin(): Promise<mysql.Connection>;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the directory. Idempotent. */
  stop(): Promise<void>;
}

const TLS_SERVER_ROWS = [
  ['acme', '1', 'gold'],
  ['globex', '0', null],
  ['initech', 'true', 'silver'],
] as const;

const START_TIMEOUT_MS = 20_000;

/** The end of mariadbd's log, for the message when it does not come up. */
function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '(no log)';
    throw err;
  }
}

/** mariadbd as a child process; `exited` settles when it is gone (or could not be started). */
function spawnServer(args: string[]) {
  const child = spawn(MARIADBD, args, { stdio: 'ignore' });
  let failure: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      failure = `mariadbd exited (${code ?? signal})`;
      resolve();
    });
    child.once('error', (err) => {
      failure = `mariadbd could not be started: ${err.message}`;
      resolve();
    });
  });
  return { child, exited, failure: () => failure };
}

/**
 * Starts MariaDB with TLS in a new temporary directory: `mariadb-install-db`, then `mariadbd` on a
 * free port of 127.0.0.1 and 127.0.0.2, with the certificates of createTestPki. Resolves once the
 * server answers and holds the test database, table and users.
 */
export async function startTlsServer(): Promise<TlsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lynq-mysql-tls-'));
  let server: ReturnType<typeof spawnServer> | undefined;
  // Last resort if the worker exits without running afterAll: no server or directory survives it.
  const onExit = () => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (server !== undefined && server.failure() === undefined) {
        const { child, exited } = server;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const data = join(dir, 'data');
    const socket = join(dir, 'mysqld.sock');
    const log = join(dir, 'mariadbd.log');
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    const [pki] = await Promise.all([
      createTestPki(dir),
      run(INSTALL_DB, [
        '--no-defaults',
        `--datadir=${data}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...asRoot,
      ]).catch((err: unknown) => {
        throw new TlsServerError(`${INSTALL_DB} failed`, { cause: err });
      }),
    ]);

    const admin = () => mysql.createConnection({ socketPath: socket, user: 'root' });
    // Another process may take the port between freePort and mariadbd's bind: then try another.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const started = spawnServer([
        '--no-defaults',
        ...asRoot,
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1,127.0.0.2',
        '--skip-name-resolve',
        `--ssl-ca=${pki.caFile}`,
        `--ssl-cert=${pki.serverCertFile}`,
        `--ssl-key=${pki.serverKeyFile}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        `--log-error=${log}`,
      ]);
      server = started;
      try {
        await waitFor(
          'the TLS MariaDB',
          async () => {
            const conn = await admin();
            await conn.end();
            return true;
          },
          {
            timeoutMs: START_TIMEOUT_MS,
            intervalMs: 100,
            abort: () => {
              const failure = started.failure();
              return failure === undefined ? undefined : `${failure}:\n${tail(log)}`;
            },
          },
        );
        break;
      } catch (err) {
        const portTaken = started.failure() !== undefined && /Can't start server/.test(tail(log));
        if (!portTaken || attempt === 3) throw err;
      }
    }

    const database = 'lynq_tls';
    const table = 'tenants';
    const tlsUser = { name: 'lynq_tls', password: 'tls-secret-pw' };
    const plainUser = { name: 'lynq_plain', password: 'plain-secret-pw' };
    const conn = await admin();
    try {
      await conn.query(`CREATE DATABASE ${database}`);
      await conn.query(
        `CREATE TABLE ${database}.${table} (id VARCHAR(32) PRIMARY KEY, active VARCHAR(8), plan VARCHAR(16))`,
      );
      await conn.query(`INSERT INTO ${database}.${table} VALUES ?`, [TLS_SERVER_ROWS]);
      await conn.query(`CREATE USER ?@'%' IDENTIFIED BY ? REQUIRE SSL`, [
        tlsUser.name,
        tlsUser.password,
      ]);
      await conn.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [plainUser.name, plainUser.password]);
      for (const user of [tlsUser, plainUser]) {
        await conn.query(`GRANT SELECT ON ${database}.* TO ?@'%'`, [user.name]);
      }
    } finally {
      await conn.end();
    }
    return {
      host: '127.0.0.1',
      unnamedHost: '127.0.0.2',
      port,
      database,
      table,
      pki,
      tlsUser,
      plainUser,
      admin,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
