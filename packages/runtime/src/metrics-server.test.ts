import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DelegatedAuth, type AccessReviews, type UserInfo } from './delegated-auth.js';
import { silentLogger } from './logger.js';
import { MetricsServer } from './metrics-server.js';
import { ServingCertificate, selfSignedCertificate, type PemPair } from './serving-certificate.js';

let server: MetricsServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function registryWithDemo(): Registry {
  const registry = new Registry();
  new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
  return registry;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

/** An HTTPS request trusting only `ca` (the server's self-signed certificate). */
function httpsGet(
  port: number,
  ca: string,
  options: { path?: string; method?: string; token?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/metrics',
        method: options.method ?? 'GET',
        ca,
        servername: 'localhost',
        agent: false,
        headers: options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const socket = res.socket as TLSSocket;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            fingerprint: socket.getPeerX509Certificate?.()?.fingerprint256 ?? '',
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Rejects naming `step` if `promise` has not settled in `ms`: a hang says where it is. */
async function within<T>(step: string, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step}: not settled after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const reader: UserInfo = { username: 'system:serviceaccount:monitoring:prometheus' };
const stranger: UserInfo = { username: 'system:serviceaccount:apps:web' };
const reviews: AccessReviews = {
  authenticate: (token) =>
    Promise.resolve(({ reader, stranger } as Record<string, UserInfo>)[token]),
  authorize: (user, verb, path) =>
    Promise.resolve({
      allowed: user === reader && verb === 'get' && path === '/metrics',
      reason: '',
    }),
};

describe('MetricsServer', () => {
  it('serves plain HTTP without authentication when not secure', async () => {
    server = new MetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithDemo(),
      logger: silentLogger,
    });
    await server.start();
    expect(server.secure).toBe(false);
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('demo_total 3');
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(404);
    expect(
      (await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status,
    ).toBe(405);
  });

  it('over HTTPS answers 401, 403 or 200 as the reviews decide', async () => {
    const certificate = await ServingCertificate.selfSigned({ commonName: 'lynq-operator' });
    const ca = certificate.pair.cert;
    server = new MetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithDemo(),
      logger: silentLogger,
      secure: { certificate, auth: new DelegatedAuth({ reviews }) },
    });
    await server.start();
    const port = server.port;

    const none = await httpsGet(port, ca);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain('demo_total');
    expect((await httpsGet(port, ca, { token: 'made-up' })).status).toBe(401);

    const forbidden = await httpsGet(port, ca, { token: 'stranger' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toContain(
      'Forbidden: user "system:serviceaccount:apps:web" cannot get path "/metrics"',
    );
    expect(forbidden.body).not.toContain('demo_total');

    const ok = await httpsGet(port, ca, { token: 'reader' });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('demo_total 3');
    expect(ok.headers['content-type']).toContain('text/plain');
    expect(ok.fingerprint).toBe(new X509Certificate(ca).fingerprint256);

    const head = await httpsGet(port, ca, { token: 'reader', method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect((await httpsGet(port, ca, { path: '/other', token: 'reader' })).status).toBe(404);
    // Plain HTTP to the TLS port gets no metrics.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('serves a new certificate to new connections once its files change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-metrics-cert-'));
    dirs.push(dir);
    const write = (p: PemPair) => {
      writeFileSync(join(dir, 'tls.crt'), p.cert);
      writeFileSync(join(dir, 'tls.key'), p.key);
    };
    const first = await selfSignedCertificate({ commonName: 'first' });
    write(first);
    const certificate = await ServingCertificate.fromFiles({ dir }, { pollMs: 200 });
    server = new MetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithDemo(),
      logger: silentLogger,
      secure: { certificate, auth: new DelegatedAuth({ reviews }) },
    });
    await server.start();
    expect((await httpsGet(server.port, first.cert, { token: 'reader' })).status).toBe(200);

    const second = await selfSignedCertificate({ commonName: 'second' });
    const changed = new Promise<void>((resolve) => certificate.onChange(() => resolve()));
    write(second);
    await Promise.race([
      changed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reload in 10 s')), 10_000)),
    ]);
    const res = await httpsGet(server.port, second.cert, { token: 'reader' });
    expect(res.status).toBe(200);
    expect(res.fingerprint).toBe(new X509Certificate(second.cert).fingerprint256);
    await expect(httpsGet(server.port, first.cert, { token: 'reader' })).rejects.toThrow();
  });

  it('cuts off clients that stay silent, trickle their headers or hold connections, and keeps serving', async () => {
    const pair = await selfSignedCertificate({ commonName: 'slow' });
    const dir = mkdtempSync(join(tmpdir(), 'lynq-metrics-slow-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'tls.crt'), pair.cert);
    writeFileSync(join(dir, 'tls.key'), pair.key);
    server = new MetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: registryWithDemo(),
      logger: silentLogger,
      secure: {
        certificate: await ServingCertificate.fromFiles({ dir }),
        auth: new DelegatedAuth({ reviews }),
      },
      maxConnections: 10,
      timeouts: { handshakeMs: 500, headersMs: 500, requestMs: 1_000 },
    });
    await server.start();
    const port = server.port;
    const open = (tls: boolean) =>
      new Promise<{ socket: Socket; closed: Promise<number> }>((resolve, reject) => {
        const started = performance.now();
        const socket: Socket = tls
          ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
          : tcpConnect({ host: '127.0.0.1', port });
        const closed = new Promise<number>((r) =>
          socket.on('close', () => r(performance.now() - started)),
        );
        socket.on('error', () => {});
        socket.once(tls ? 'secureConnect' : 'connect', () => resolve({ socket, closed }));
        socket.once('close', () => reject(new Error('closed before connecting')));
      });
    const silent = await within('a plain TCP connection', open(false));
    const idle = await within('an idle TLS connection', open(true));
    const trickling = await within('a trickling TLS connection', open(true));
    trickling.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => trickling.socket.write('X-Slow: 1\r\n'), 100);
    try {
      const times = await within(
        'the server closing the silent, idle and trickling connections',
        Promise.all([silent.closed, idle.closed, trickling.closed]),
      );
      // Deadlines 0.5 s, checked every 0.5 s (node's defaults: 120 s, 40 s and 40 s).
      for (const ms of times) expect(ms).toBeLessThan(3_000);
    } finally {
      clearInterval(timer);
    }
    const many = await within(
      '20 connections, over maxConnections, settling',
      Promise.allSettled(Array.from({ length: 20 }, () => open(true))),
    );
    // The server refuses a connection over the limit before its TLS handshake can finish.
    const accepted = many.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    expect(accepted.length).toBeLessThanOrEqual(10);
    for (const c of accepted) c.socket.destroy();
    await within('the accepted connections closing', Promise.all(accepted.map((c) => c.closed)));
    // The server counts a connection out once it has seen it end, which may come after the
    // client's close: a scrape refused until then is tried again.
    const scrape = async (): Promise<Answer> => {
      const until = performance.now() + 10_000;
      for (;;) {
        try {
          return await within('a scrape', httpsGet(port, pair.cert, { token: 'reader' }));
        } catch (err) {
          const code = err instanceof Error && 'code' in err ? err.code : undefined;
          const refused = code === 'ECONNRESET' || code === 'EPIPE';
          if (!refused || performance.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const answer = await scrape();
    expect(answer.status).toBe(200);
  });
});
