// Secure metrics (reference §8, §9; issue 14): with --metrics-secure the operator serves /metrics
// over HTTPS and asks the API server about every bearer token (TokenReview) and what its user may
// do (SubjectAccessReview for get /metrics). Real ServiceAccounts, real tokens from the TokenRequest
// API, real RBAC: no token or a made-up one gets 401, a ServiceAccount without the role 403, one
// bound to a ClusterRole with nonResourceURLs ["/metrics"] 200. Scraping again is answered from the
// operator's cache. Once with the self-signed certificate made at start, once with a certificate
// directory written with openssl, which is then replaced and served without a restart.
import { execFileSync } from 'node:child_process';
import { randomBytes, type X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { DelegatedAuthMetricNames } from '@lynq/runtime';
import { parseMetrics, useScenario, type OperatorProcess } from './harness/index.js';

const s = useScenario({ name: 'msecure', operator: false });
const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const CLUSTER_ROLE = `lynq-e2e-metrics-reader-${suffix}`;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const tokens: Record<'reader' | 'stranger', string> = { reader: '', stranger: '' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented. */
  peer: X509Certificate | undefined;
}

/**
 * GET https://127.0.0.1:<port>/metrics. With `ca`, the server's certificate must chain to it and
 * name localhost; without, any certificate is accepted (the self-signed one proves nothing).
 */
function scrape(
  port: number,
  options: { token?: string; ca?: string; authorization?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/metrics',
        agent: false,
        servername: 'localhost',
        ...(options.ca !== undefined ? { ca: options.ca } : { rejectUnauthorized: false }),
        headers:
          options.authorization !== undefined
            ? { Authorization: options.authorization }
            : options.token !== undefined
              ? { Authorization: `Bearer ${options.token}` }
              : {},
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peer: (res.socket as TLSSocket).getPeerX509Certificate(),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end();
  });
}

const portOf = (op: OperatorProcess) => Number(new URL(op.metricsUrl).port);

/** Reviews the operator sent so far, from its own metrics. */
function reviewsIn(body: string): { tokenReviews: number; accessReviews: number } {
  const m = parseMetrics(body);
  const sum = (review: string) =>
    m
      .find(DelegatedAuthMetricNames.ReviewsTotal, { review })
      .reduce((total, sample) => total + sample.value, 0);
  return { tokenReviews: sum('TokenReview'), accessReviews: sum('SubjectAccessReview') };
}

/** A self-signed serving certificate for localhost and 127.0.0.1, written by openssl. */
function opensslCertificate(dir: string, cn: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ],
    { stdio: 'pipe' },
  );
}

async function tokenFor(serviceAccount: string): Promise<string> {
  const review = await s.kube.rest.request<{ status: { token: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${s.namespace}/serviceaccounts/${serviceAccount}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    },
  });
  return review.status.token;
}

beforeAll(async () => {
  for (const name of ['reader', 'stranger'] as const)
    await s.kube.rest.request({
      method: 'POST',
      path: `/api/v1/namespaces/${s.namespace}/serviceaccounts`,
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    });
  // Non-resource URLs can only be granted cluster-wide: uniquely named, deleted afterwards.
  s.onCleanup(async () => {
    for (const path of [
      `${RBAC}/clusterrolebindings/${CLUSTER_ROLE}`,
      `${RBAC}/clusterroles/${CLUSTER_ROLE}`,
    ])
      await s.kube.rest.request({ method: 'DELETE', path }).catch(() => undefined);
  });
  await s.kube.rest.request({
    method: 'POST',
    path: `${RBAC}/clusterroles`,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: CLUSTER_ROLE },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
    },
  });
  await s.kube.rest.request({
    method: 'POST',
    path: `${RBAC}/clusterrolebindings`,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: CLUSTER_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: s.namespace }],
    },
  });
  tokens.reader = await tokenFor('reader');
  tokens.stranger = await tokenFor('stranger');
});

describe('--metrics-secure with the self-signed certificate', () => {
  let op: OperatorProcess;
  beforeAll(async () => {
    // The harness passes --metrics-secure=false; the later flag wins.
    op = await s.startOperator({ name: 'secure-self-signed', args: ['--metrics-secure'] });
  });

  it('logs that it serves metrics securely, on which port', () => {
    const line = op.logRecords().find((r) => r['msg'] === 'Starting metrics server');
    expect(line).toMatchObject({ secure: true, port: portOf(op), certificate: 'self-signed' });
  });

  it('answers 401 without a token, and for a token the API server does not know', async () => {
    const none = await scrape(portOf(op));
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain('lynq_');
    expect(none.peer?.subject).toBe('CN=lynq-operator');
    expect(none.peer?.checkIP('127.0.0.1')).toBe('127.0.0.1');

    const garbage = await scrape(portOf(op), { token: 'not-a-token-of-this-cluster' });
    expect(garbage.status).toBe(401);
    expect(garbage.body).toContain('did not authenticate');
    expect(garbage.body).not.toContain('not-a-token');
    // A ServiceAccount token is a JWT; the signature is what the API server checks.
    const forged = `${tokens.reader.slice(0, -8)}AAAAAAAA`;
    expect((await scrape(portOf(op), { token: forged })).status).toBe(401);
  });

  it('answers 403 to a ServiceAccount without get on /metrics, naming it, the verb and the path', async () => {
    const res = await scrape(portOf(op), { token: tokens.stranger });
    expect(res.status).toBe(403);
    expect(res.body).toContain(
      `Forbidden: user "system:serviceaccount:${s.namespace}:stranger" cannot get path "/metrics"`,
    );
    expect(res.body).not.toContain(tokens.stranger);
    expect(res.body).not.toContain('lynq_rest_client');
  });

  it('answers 200 with the metrics to the ServiceAccount bound to the reader role, from the cache afterwards', async () => {
    const first = await scrape(portOf(op), { token: tokens.reader });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toContain('text/plain');
    const m = parseMetrics(first.body);
    expect(m.find('lynq_rest_client_requests_total').length).toBeGreaterThan(0);
    expect(m.find('workqueue_depth', { name: 'lynqnode' })).toHaveLength(1);
    expect(m.value(DelegatedAuthMetricNames.RequestsTotal, { code: '403' })).toBeGreaterThanOrEqual(
      1,
    );
    const before = reviewsIn(first.body);
    expect(before.tokenReviews).toBeGreaterThanOrEqual(4);
    expect(before.accessReviews).toBeGreaterThanOrEqual(2);

    // Prometheus' next scrapes, a made-up token and the stranger again: all answered from the
    // cache (1 min for tokens, 5 min allowed, 30 s denied), not one more review sent.
    const started = Date.now();
    for (let i = 0; i < 10; i++)
      expect((await scrape(portOf(op), { token: tokens.reader })).status).toBe(200);
    expect((await scrape(portOf(op), { token: 'not-a-token-of-this-cluster' })).status).toBe(401);
    expect((await scrape(portOf(op), { token: tokens.stranger })).status).toBe(403);
    const last = await scrape(portOf(op), { token: tokens.reader });
    const after = reviewsIn(last.body);
    if (Date.now() - started < 25_000) expect(after).toEqual(before);
    const m2 = parseMetrics(last.body);
    expect(
      m2.value(DelegatedAuthMetricNames.RequestsTotal, { code: '200' }),
    ).toBeGreaterThanOrEqual(11);
  });
});

describe('--metrics-secure against hostile clients', () => {
  let op: OperatorProcess;
  beforeAll(async () => {
    op = await s.startOperator({ name: 'secure-hostile', args: ['--metrics-secure'] });
  });

  // Before the flood below: it drains the review bucket, and a long made-up token here needs a
  // review (401) that an empty bucket would answer with 429.
  it('refuses odd Authorization headers plainly, echoing none of them', async () => {
    const cases: [string, number][] = [
      [`Bearer ${'t'.repeat(15_000)}`, 401],
      [`Basic ${Buffer.from('admin:admin').toString('base64')}`, 401],
      [`Bearer ${tokens.reader} ${tokens.reader}`, 401],
      ['Bearer', 401],
    ];
    for (const [authorization, status] of cases) {
      const res = await scrape(portOf(op), { authorization });
      expect(res.status).toBe(status);
      const secret = authorization.slice(7, 40);
      if (secret === '') continue;
      expect(res.body).not.toContain(secret);
      expect(JSON.stringify(res.headers)).not.toContain(secret);
    }
    // Past node's 16 KiB of headers: 431, before any review.
    expect((await scrape(portOf(op), { token: 'y'.repeat(20_000) })).status).toBe(431);
    // Lower-case scheme, as RFC 7235 allows: the reader's token still works.
    expect((await scrape(portOf(op), { authorization: `bearer ${tokens.reader}` })).status).toBe(
      200,
    );
  });

  it('answers a flood of made-up tokens with 401 or 429 at a bounded review rate, and keeps serving the reader', async () => {
    expect((await scrape(portOf(op), { token: tokens.reader })).status).toBe(200);
    const before = reviewsIn((await scrape(portOf(op), { token: tokens.reader })).body);
    const started = Date.now();
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        scrape(portOf(op), { token: `made-up-${i}-${'x'.repeat(2_000)}` }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const codes = new Set(flood.map((r) => r.status));
    expect([...codes].every((c) => c === 401 || c === 429)).toBe(true);
    expect(flood.filter((r) => r.status === 429)[0]?.headers['retry-after']).toBe('1');
    const after = reviewsIn((await scrape(portOf(op), { token: tokens.reader })).body);
    // A burst of 20, then 5 a second: the API server saw that many TokenReviews, not 200.
    expect(after.tokenReviews - before.tokenReviews).toBeLessThanOrEqual(20 + 5 * (seconds + 1));
    expect((await scrape(portOf(op), { token: tokens.reader })).status).toBe(200);
  });

  it('closes a connection that sends nothing after its handshake', async () => {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: portOf(op), rejectUnauthorized: false });
      socket.on('error', () => {});
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => reject(new Error('still open after 30 s')), 30_000);
    });
    // 10 s without a byte (node alone would keep it open for good).
    expect(closedAfter).toBeLessThan(20_000);
  });

  it('never writes a token to its log', () => {
    const log = JSON.stringify(op.logRecords());
    for (const token of [tokens.reader, tokens.stranger])
      expect(log).not.toContain(token.slice(-40));
    expect(log).not.toContain('made-up-');
  });
});

describe('--metrics-cert-path laid out as a Secret volume (..data symlink swapped)', () => {
  let op: OperatorProcess;
  let dir: string;
  const stamp = (name: string, cn: string) => {
    mkdirSync(join(dir, name));
    opensslCertificate(join(dir, name), cn);
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lynq-e2e-metrics-volume-'));
    s.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    stamp('..2026_01', 'lynq-e2e-volume-1');
    symlinkSync('..2026_01', join(dir, '..data'));
    symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(dir, 'tls.key'));
    op = await s.startOperator({
      name: 'secure-volume',
      args: ['--metrics-secure=true', `--metrics-cert-path=${dir}`],
    });
  });

  it("serves each new pair once the kubelet's atomic swap is done, and never a half of one", async () => {
    expect((await scrape(portOf(op), { token: tokens.reader })).peer?.subject).toBe(
      'CN=lynq-e2e-volume-1',
    );
    for (const n of [2, 3]) {
      stamp(`..2026_0${n}`, `lynq-e2e-volume-${n}`);
      symlinkSync(`..2026_0${n}`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      const ca = readFileSync(join(dir, 'tls.crt'), 'utf8');
      await s.waitFor(
        async (note) => {
          const res = await scrape(portOf(op), { token: tokens.reader });
          note(res.peer?.subject);
          return res.peer?.subject === `CN=lynq-e2e-volume-${n}` ? res : undefined;
        },
        { what: `the pair of ..2026_0${n} served`, timeoutMs: 30_000, intervalMs: 250 },
      );
      // Verifiable with the new certificate: the key went with it.
      expect((await scrape(portOf(op), { token: tokens.reader, ca })).status).toBe(200);
    }
  });
});

describe('--metrics-secure with --metrics-cert-path', () => {
  let op: OperatorProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lynq-e2e-metrics-certs-'));
    s.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    opensslCertificate(dir, 'lynq-e2e-first');
    op = await s.startOperator({
      name: 'secure-cert-dir',
      args: ['--metrics-secure=true', `--metrics-cert-path=${dir}`],
    });
  });

  it('serves the certificate from the directory, verifiable with it, with the same authorization', async () => {
    const ca = readFileSync(join(dir, 'tls.crt'), 'utf8');
    const line = op.logRecords().find((r) => r['msg'] === 'Starting metrics server');
    expect(line).toMatchObject({ secure: true, port: portOf(op), certificate: dir });
    const ok = await scrape(portOf(op), { token: tokens.reader, ca });
    expect(ok.status).toBe(200);
    expect(ok.peer?.subject).toBe('CN=lynq-e2e-first');
    expect(ok.body).toContain('lynq_rest_client_requests_total');
    expect((await scrape(portOf(op), { ca })).status).toBe(401);
    expect((await scrape(portOf(op), { token: tokens.stranger, ca })).status).toBe(403);
  });

  it('serves a replaced certificate without a restart', async () => {
    // Written elsewhere and swapped in, as a Secret volume update does (key first, then certificate).
    const next = mkdtempSync(join(tmpdir(), 'lynq-e2e-metrics-next-'));
    s.onCleanup(() => rmSync(next, { recursive: true, force: true }));
    opensslCertificate(next, 'lynq-e2e-second');
    renameSync(join(next, 'tls.key'), join(dir, 'tls.key'));
    renameSync(join(next, 'tls.crt'), join(dir, 'tls.crt'));
    const ca = readFileSync(join(dir, 'tls.crt'), 'utf8');
    const served = await s.waitFor(
      async (note) => {
        const res = await scrape(portOf(op), { token: tokens.reader });
        note(res.peer?.subject);
        return res.peer?.subject === 'CN=lynq-e2e-second' ? res : undefined;
      },
      { what: 'the replaced metrics certificate served', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(served.status).toBe(200);
    expect((await scrape(portOf(op), { token: tokens.reader, ca })).status).toBe(200);
    expect(op.logRecords().some((r) => r['msg'] === 'serving certificate changed')).toBe(true);
  });
});
