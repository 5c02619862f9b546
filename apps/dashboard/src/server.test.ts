import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@lynq/runtime';
import { LiveState } from './live-state.js';
import { DashboardServer } from './server.js';
import { form, hub, node } from './testdata/objects.js';

let dir: string;
let state: LiveState;
let server: DashboardServer;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-test-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
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
    allowedHosts: ['localhost', '127.0.0.1'],
  });
  const addr = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await server.close();
  state.close();
  await rm(dir, { recursive: true, force: true });
});

function request(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = http.request(
        `${base}${path}`,
        { method: init.method ?? 'GET', headers: init.headers },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

interface SseMessage {
  id: string;
  event: string;
  data: { seq: number; nodes?: unknown[]; upserts?: { nodes: Array<{ id: string }> } };
}

/** Opens the event stream and collects messages until `until` says enough. */
function stream(
  headers: Record<string, string>,
  until: (m: SseMessage[]) => boolean,
  act?: () => void,
) {
  return new Promise<SseMessage[]>((resolve, reject) => {
    const messages: SseMessage[] = [];
    const req = http.get(`${base}/api/v1/stream`, { headers }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => /^(id|event|data):/.test(l))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          );
          if (fields['event'] === undefined) continue;
          messages.push({
            id: fields['id'] ?? '',
            event: fields['event'],
            data: JSON.parse(fields['data'] ?? '{}') as SseMessage['data'],
          });
          if (messages.length === 1) act?.();
          if (until(messages)) {
            req.destroy();
            resolve(messages);
          }
        }
      });
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    setTimeout(() => {
      req.destroy();
      reject(new Error(`stream: only ${messages.length} messages`));
    }, 5000).unref();
  });
}

describe('DashboardServer', () => {
  it('is read-only: every method but GET and HEAD is refused', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await request('/api/v1/hubs', { method });
      expect(res.status, method).toBe(405);
    }
  });

  it('refuses unknown Host headers (DNS rebinding)', async () => {
    expect(
      (await request('/api/v1/overview', { headers: { Host: 'attacker.example' } })).status,
    ).toBe(403);
    expect(
      (await request('/api/v1/overview', { headers: { Host: 'localhost:8080' } })).status,
    ).toBe(200);
  });

  it('serves the UI for page paths, with a CSP, and 404 for unknown assets', async () => {
    const page = await request('/nodes/ns/n1', { headers: { Host: 'localhost' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await request('/assets/nope.js', { headers: { Host: 'localhost' } })).status).toBe(404);
  });

  it('answers summaries and details without Secret values or passwords', async () => {
    const h = { Host: 'localhost' };
    const overview = JSON.parse((await request('/api/v1/overview', { headers: h })).body) as {
      nodes: { ready: number };
    };
    expect(overview.nodes.ready).toBe(1);
    const all = await Promise.all(
      [
        '/api/v1/snapshot',
        '/api/v1/hubs/ns/hub',
        '/api/v1/forms/ns/web',
        '/api/v1/nodes/ns/n1',
      ].map((p) => request(p, { headers: h })),
    );
    for (const r of all) {
      expect(r.status).toBe(200);
      expect(r.body).not.toContain('hunter2');
    }
    const formDetail = JSON.parse(all[2]!.body) as {
      resources: Array<{ id: string; level: number }>;
    };
    expect(formDetail.resources.find((r) => r.id === 'app')?.level).toBe(1);
    expect((await request('/api/v1/nodes/ns/missing', { headers: h })).status).toBe(404);
  });

  it('streams a snapshot, then deltas; a reconnect with Last-Event-ID gets only what it missed', async () => {
    const h = { Host: 'localhost' };
    const first = await stream(
      h,
      (m) => m.length >= 2,
      () => {
        state.upsertNode(node('n2', 'web', 'failed'));
      },
    );
    expect(first[0]!.event).toBe('snapshot');
    expect(first[0]!.data.nodes).toHaveLength(1);
    expect(first[1]!.event).toBe('delta');
    expect(first[1]!.data.upserts?.nodes.map((n) => n.id)).toEqual(['ns/n2']);
    const lastId = first[1]!.id;

    // Changes while the browser is away.
    state.upsertNode(node('n3', 'web', 'pending'));
    state.flush();
    state.upsertNode(node('n4', 'web', 'pending'));
    state.flush();
    const resumed = await stream({ ...h, 'Last-Event-ID': lastId }, (m) => m.length >= 2);
    expect(resumed.map((m) => m.event)).toEqual(['delta', 'delta']);
    expect(resumed.map((m) => m.data.upserts?.nodes[0]?.id)).toEqual(['ns/n3', 'ns/n4']);

    // An id from another server run: a full resync.
    const stale = await stream({ ...h, 'Last-Event-ID': 'zzz-2' }, (m) => m.length >= 1);
    expect(stale[0]!.event).toBe('snapshot');
    expect(stale[0]!.data.nodes).toHaveLength(4);
  });

  it('is ready only once synced', async () => {
    expect((await request('/readyz', { headers: { Host: 'localhost' } })).status).toBe(200);
    state.synced = false;
    expect((await request('/readyz', { headers: { Host: 'localhost' } })).status).toBe(503);
    state.synced = true;
  });
});
