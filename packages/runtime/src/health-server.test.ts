import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './health-server.js';
import { silentLogger } from './logger.js';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${server?.port ?? 0}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('HealthServer', () => {
  it('serves healthz, readyz following the checks, and metrics of its registry', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    server = new HealthServer({ port: 0, host: '127.0.0.1', registry, logger: silentLogger });
    let synced = false;
    server.addHealthCheck('ping', () => true);
    server.addReadyCheck('informer configmaps', () => synced);
    await server.start();

    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(500);
    expect(notReady.body).toContain('[-]informer configmaps failed');
    synced = true;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get('/readyz?verbose')).body).toContain('[+]informer configmaps ok');

    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('demo_total 3');
    expect(metrics.type).toContain('text/plain');
    expect((await get('/nope')).status).toBe(404);
  });

  it('fails a probe whose check throws', async () => {
    server = new HealthServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: silentLogger,
    });
    server.addHealthCheck('broken', () => {
      throw new Error('x');
    });
    await server.start();
    const res = await get('/healthz');
    expect(res.status).toBe(500);
    expect(res.body).toContain('[-]broken failed');
  });
});
