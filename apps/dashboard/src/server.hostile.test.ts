// Hostile review of the HTTP surface: whoever reaches the port, a page doing DNS rebinding,
// many or slow event-stream readers, a cluster with a great many nodes.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@lynq/runtime';
import { hostRule } from './hosts.js';
import { LiveState } from './live-state.js';
import { DashboardServer } from './server.js';
import { form, hub, node } from './testdata/objects.js';

let dir: string;
let state: LiveState;
let server: DashboardServer;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-hostile-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'secret.txt.bak'), 'x');
  state = new LiveState({ batchMs: 5 });
  state.upsertHub(hub('hub', true));
  state.upsertForm(form('web', 'hub'));
  state.upsertNode(node('n1', 'web', 'ready'));
  state.flush();
  state.synced = true;
  server = new DashboardServer({
    state,
    read: () => Promise.resolve(undefined),
    publicDir: dir,
    logger: silentLogger,
    allowedHosts: hostRule('0.0.0.0'),
    maxStreams: 3,
  });
  port = (await server.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await server.close();
  state.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A raw request (the path is sent as is); `stream` returns at the headers and keeps it open. */
function request(
  path: string,
  opts: { method?: string; host?: string; stream?: boolean } = {},
): Promise<Answer & { req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: opts.method ?? 'GET',
      headers: { host: opts.host ?? `localhost:${port}` },
    });
    req.on('response', (res) => {
      const done = (body: string) =>
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers, req });
      if (opts.stream === true) return done('');
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard HTTP server, hostile clients', () => {
  it('refuses a rebinding Host even when not bound to loopback (kubectl port-forward)', async () => {
    expect((await request('/api/v1/hubs', { host: 'attacker.example:8080' })).status).toBe(403);
    expect((await request('/api/v1/hubs', { host: 'localhost:8080' })).status).toBe(200);
    expect((await request('/api/v1/hubs', { host: '10.0.0.7:8080' })).status).toBe(200);
    expect((await request('/api/v1/hubs', { host: 'lynq-dashboard.lynq-system.svc' })).status).toBe(
      200,
    );
    // The refusal does not echo the attacker's name back.
    expect((await request('/', { host: '<script>x</script>' })).body).not.toContain('<script>');
  });

  it('the Host rule: loopback listeners accept loopback names only, plus the extra names', () => {
    const loop = hostRule('127.0.0.1', ['dash.example.com']);
    expect(['localhost', '127.0.0.1', '[::1]', 'dash.example.com'].every(loop)).toBe(true);
    expect(['10.0.0.7', 'lynq-dashboard', 'evil.svc.example', 'a.svc', ''].some(loop)).toBe(false);
    const pod = hostRule('0.0.0.0');
    expect(['10.0.0.7', '[fd00::1]', 'lynq-dashboard', 'x.ns.svc.cluster.local'].every(pod)).toBe(
      true,
    );
    expect(['evil.com', 'svc.evil.com', 'a.svc.evil', ''].some(pod)).toBe(false);
  });

  it('answers a malformed %-escape with 400, not a logged 500', async () => {
    const r = await request('/api/v1/nodes/%E0%A4%A/x');
    expect(r.status).toBe(400);
  });

  it('serves only the built files, never a path outside or a traversal', async () => {
    for (const p of ['/../package.json', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await request(p);
      expect(r.body).not.toContain('root:');
      expect(r.body).not.toContain('"name"');
    }
    expect((await request('/assets/nope.js')).status).toBe(404);
  });

  it('refuses a huge URL before routing it', async () => {
    const r = await request(`/api/v1/nodes?q=${'x'.repeat(20_000)}`);
    expect(r.status).toBe(431);
  });

  it('refuses writes and OPTIONS; a HEAD of the stream does not hold a stream open', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
      expect((await request('/api/v1/hubs', { method })).status).toBe(405);
    const head = await request('/api/v1/stream', { method: 'HEAD' });
    expect(head.status).toBe(200);
    // Three streams may still be opened (the cap below): the HEAD did not take a slot.
    const open = await Promise.all(
      [1, 2, 3].map(() => request('/api/v1/stream', { stream: true })),
    );
    expect(open.map((o) => o.status)).toEqual([200, 200, 200]);
    const over = await request('/api/v1/stream');
    expect(over.status).toBe(503);
    for (const o of open) o.req.destroy();
    await new Promise((r) => setTimeout(r, 50));
  });

  it('security headers on every answer, errors included', async () => {
    for (const p of ['/', '/api/v1/nope', '/assets/nope.js']) {
      const r = await request(p);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('the replay buffer with a great many nodes', () => {
  it('is bounded in summaries, not only in deltas', () => {
    const s = new LiveState({ batchMs: 1_000_000 });
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 10_000; i++)
        s.upsertNode(node(`n${i}`, 'web', round % 2 === 0 ? 'ready' : 'failed'));
      s.flush();
    }
    s.close();
    expect(s.historyHeld.items).toBeLessThanOrEqual(20_000);
    expect(s.historyHeld.deltas).toBeGreaterThanOrEqual(1);
    // A browser that missed the dropped deltas gets a snapshot instead.
    expect(s.deltasSince(1)).toBeUndefined();
    expect(s.deltasSince(5)?.length).toBe(1);
  });
});

describe('connections at once', () => {
  it('closes connections beyond the cap instead of buffering for all of them', async () => {
    const s = new LiveState({ batchMs: 5 });
    s.synced = true;
    const capped = new DashboardServer({
      state: s,
      read: () => Promise.resolve(undefined),
      publicDir: dir,
      logger: silentLogger,
      maxConnections: 2,
    });
    const p = (await capped.listen(0, '127.0.0.1')).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const get = () =>
      new Promise<number>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: p, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(-1));
      });
    try {
      const answers = await Promise.all([get(), get(), get(), get()]);
      expect(answers.filter((a) => a === 200).length).toBeLessThanOrEqual(2);
      expect(answers).toContain(-1);
    } finally {
      agent.destroy();
      await capped.close();
      s.close();
    }
  });
});

describe('node pages at once', () => {
  it('answers 503 beyond the cap instead of queueing reads on the API server', async () => {
    const s = new LiveState({ batchMs: 5 });
    const n = node('n1', 'web', 'ready');
    (n.status as Record<string, unknown>)['appliedResourceRefs'] = [
      { id: 'config', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'c' },
    ];
    s.upsertNode(n);
    s.flush();
    s.synced = true;
    let reads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const capped = new DashboardServer({
      state: s,
      read: async () => {
        reads++;
        await gate;
        return undefined;
      },
      publicDir: dir,
      logger: silentLogger,
      maxNodeReads: 2,
    });
    const p = (await capped.listen(0, '127.0.0.1')).port;
    const agent = new http.Agent({ keepAlive: false });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port: p, path: `/api/v1/nodes/${n.metadata.namespace}/n1`, agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
      });
    try {
      const pending = [get(), get(), get(), get(), get()];
      await new Promise((r) => setTimeout(r, 200));
      expect(reads).toBeLessThanOrEqual(2);
      release();
      const answers = await Promise.all(pending);
      expect(answers.filter((a) => a === 200).length).toBe(2);
      expect(answers.filter((a) => a === 503).length).toBe(3);
    } finally {
      agent.destroy();
      await capped.close();
      s.close();
    }
  });
});
