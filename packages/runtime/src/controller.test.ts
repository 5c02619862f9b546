import { Resources } from '@lynq/api';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { Controller, type Request, type Result } from './controller.js';
import {
  mappingHandler,
  ownerRequests,
  requestFor,
  requestsFromLabels,
} from './controller-builder.js';
import { silentLogger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';
import { generationChanged, ignoreStatusOnlyChanges, not, or } from './predicates.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';
import { resourceType, type KubeObject } from './resource.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe('Controller', () => {
  it('reconciles queued requests, with namespace and name split back', async () => {
    const seen: Request[] = [];
    const c = new Controller({
      name: 'demo',
      logger: silentLogger,
      reconcile: (req) => void seen.push(req),
    });
    c.enqueue({ namespace: 'ns', name: 'a' });
    c.enqueue({ name: 'cluster-wide' });
    c.enqueue({ namespace: 'ns', name: 'a' });
    c.start();
    await until(() => seen.length === 2);
    expect(seen).toEqual([{ namespace: 'ns', name: 'a' }, { name: 'cluster-wide' }]);
    await c.stop();
  });

  it('retries a throwing reconcile with growing backoff, then resets after success', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const retriesSeen: number[] = [];
    const c = new Controller({
      name: 'flaky',
      clock,
      logger: silentLogger,
      rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 100 }),
      reconcile: (_req, ctx) => {
        calls++;
        retriesSeen.push(ctx.retries);
        if (calls <= 3) throw new Error('boom');
      },
    });
    c.start();
    c.enqueue({ namespace: 'n', name: 'x' });
    await until(() => calls === 1);
    clock.advance(99);
    await tick();
    expect(calls).toBe(1);
    clock.advance(1);
    await until(() => calls === 2);
    clock.advance(200);
    await until(() => calls === 3);
    clock.advance(400);
    await until(() => calls === 4);
    expect(retriesSeen).toEqual([0, 1, 2, 3]);
    await until(() => c.queue.inFlight() === 0);
    expect(c.queue.numRequeues('n/x')).toBe(0);
    await c.stop();
  });

  it('requeues after the requested delay and reports results as metrics', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const metrics = RuntimeMetrics.for(registry);
    let calls = 0;
    const c = new Controller({
      name: 'periodic',
      clock,
      logger: silentLogger,
      metrics: metrics.controller('periodic'),
      queueMetrics: metrics.queue('periodic'),
      reconcile: (): Result => {
        calls++;
        if (calls === 1) return { requeueAfter: 5000 };
        if (calls === 2) throw new Error('x');
        return {};
      },
    });
    c.start();
    c.enqueue({ name: 'a' });
    await until(() => calls === 1);
    clock.advance(4999);
    await tick();
    expect(calls).toBe(1);
    clock.advance(1);
    await until(() => calls === 2);
    clock.advance(1000);
    await until(() => calls === 3);
    await c.stop();
    const text = await registry.metrics();
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="periodic",result="requeue_after"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="periodic",result="error"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="periodic",result="success"} 1',
    );
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="periodic"} 1');
    expect(text).toContain('workqueue_retries_total{name="periodic"} 1');
    expect(text).toContain('controller_runtime_max_concurrent_reconciles{controller="periodic"} 1');
  });

  it('never runs one request on two workers, and re-runs it after a change in flight', async () => {
    const active = new Set<string>();
    let overlap = false;
    let runs = 0;
    let release: () => void = () => {};
    const c = new Controller({
      name: 'parallel',
      workers: 4,
      logger: silentLogger,
      reconcile: async (req) => {
        if (active.has(req.name)) overlap = true;
        active.add(req.name);
        runs++;
        if (runs === 1) await new Promise<void>((r) => (release = r));
        active.delete(req.name);
      },
    });
    c.start();
    c.enqueue({ name: 'a' });
    await until(() => runs === 1);
    c.enqueue({ name: 'a' }); // changed while in flight
    c.enqueue({ name: 'a' });
    for (let i = 0; i < 10; i++) await tick();
    expect(runs).toBe(1);
    release();
    await until(() => runs === 2);
    for (let i = 0; i < 10; i++) await tick();
    expect(runs).toBe(2);
    expect(overlap).toBe(false);
    await c.stop();
  });

  it('stop aborts in-flight reconciles, waits for them, and reconciles nothing afterwards', async () => {
    let aborted = false;
    let calls = 0;
    const c = new Controller({
      name: 'stopper',
      logger: silentLogger,
      reconcile: async (_req, { signal }) => {
        calls++;
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        aborted = signal.aborted;
      },
    });
    c.start();
    c.enqueue({ name: 'a' });
    c.enqueue({ name: 'b' });
    await until(() => calls === 1);
    await c.stop();
    expect(aborted).toBe(true);
    c.enqueue({ name: 'c' });
    await tick();
    expect(calls).toBe(1);
  });

  it('stop(graceMs) lets in-flight reconciles finish before aborting them', async () => {
    let finish: () => void = () => {};
    let sawAbort = false;
    const c = new Controller({
      name: 'drainer',
      logger: silentLogger,
      reconcile: async (_req, { signal }) => {
        await new Promise<void>((r) => (finish = r));
        sawAbort = signal.aborted;
      },
    });
    c.start();
    c.enqueue({ name: 'a' });
    await tick();
    const stopped = c.stop(60_000);
    await tick();
    finish();
    await stopped;
    expect(sawAbort).toBe(false);
  });

  it('stop(graceMs) aborts reconciles still running when the grace period ends', async () => {
    const clock = new FakeClock();
    let aborted = false;
    const c = new Controller({
      name: 'slow',
      clock,
      logger: silentLogger,
      reconcile: async (_req, { signal }) => {
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        aborted = true;
      },
    });
    c.start();
    c.enqueue({ name: 'a' });
    await tick();
    const stopped = c.stop(5_000);
    await tick();
    expect(aborted).toBe(false);
    clock.advance(5_000);
    await stopped;
    expect(aborted).toBe(true);
  });

  it('rejects bad names and worker counts', () => {
    expect(() => new Controller({ name: 'Bad Name', reconcile: () => {} })).toThrow(/name/);
    expect(() => new Controller({ name: 'ok', workers: 0, reconcile: () => {} })).toThrow(
      /workers/,
    );
  });
});

const Widget = resourceType('example.com/v1', 'Widget', 'widgets');
const obj = (
  meta: Partial<KubeObject['metadata']>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  metadata: { name: 'o', namespace: 'ns', ...meta },
  ...extra,
});

describe('Controller ownership (sharding hooks)', () => {
  /** A controller admitting what `owned` holds, over a fixed cache of requests. */
  function owned(reconcile: ConstructorParameters<typeof Controller>[0]['reconcile']) {
    const mine = new Set<string>(['a']);
    const clock = new FakeClock();
    const registry = new Registry();
    const c = new Controller({
      name: 'sharded',
      clock,
      logger: silentLogger,
      metrics: RuntimeMetrics.for(registry).controller('sharded'),
      rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 100 }),
      reconcile,
      admits: (req) => mine.has(req.name.split('-')[0] ?? ''),
      cachedRequests: () => ['a-1', 'a-2', 'b-1', 'b-2'].map((name) => ({ namespace: 'n', name })),
    });
    return { c, mine, clock, registry };
  }

  it('does not queue requests it does not admit, and drops queued or delayed ones it stopped admitting', async () => {
    const seen: string[] = [];
    const { c, mine, clock } = owned((req) => void seen.push(req.name));
    c.enqueue({ namespace: 'n', name: 'b-1' }); // not ours
    c.enqueue({ namespace: 'n', name: 'a-1' });
    c.enqueue({ namespace: 'n', name: 'a-2' });
    c.enqueueAfter({ namespace: 'n', name: 'a-3' }, 500);
    expect(c.queue.len()).toBe(2);
    mine.delete('a'); // the shard went elsewhere before the workers got to it
    mine.add('b');
    c.start();
    clock.advance(500);
    await until(() => c.queue.len() === 0 && c.queue.inFlight() === 0);
    expect(seen).toEqual([]);
    c.enqueue({ namespace: 'n', name: 'b-2' });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['b-2']);
    await c.stop();
  });

  it('enqueueCached queues the cached requests that match and are admitted', async () => {
    const seen: string[] = [];
    const { c } = owned((req) => void seen.push(req.name));
    expect(c.enqueueCached((req) => req.name.endsWith('-1'))).toBe(1); // a-1; b-1 is not ours
    expect(c.enqueueCached(() => true)).toBe(2);
    c.start();
    await until(() => seen.length === 2);
    expect(seen.sort()).toEqual(['a-1', 'a-2']);
    await c.stop();
    const plain = new Controller({ name: 'plain', logger: silentLogger, reconcile: () => {} });
    expect(() => plain.enqueueCached(() => true)).toThrow(/no cache/);
  });

  it('abortWhere aborts matching in-flight reconciles at once, waits for them, and neither retries nor counts them as errors', async () => {
    const started: string[] = [];
    const aborted: string[] = [];
    const { c, mine, registry } = owned(
      (req, ctx) =>
        new Promise<void>((resolve, reject) => {
          started.push(req.name);
          ctx.signal.addEventListener('abort', () => {
            aborted.push(req.name);
            // A reconcile cancelled mid-write fails with the signal's reason.
            setImmediate(() => reject(ctx.signal.reason as Error));
          });
          if (req.name === 'a-2') setImmediate(resolve);
        }),
    );
    mine.add('b');
    c.enqueue({ namespace: 'n', name: 'a-1' });
    c.enqueue({ namespace: 'n', name: 'b-1' });
    // One worker: b-1 runs once a-1 has returned.
    c.start();
    await until(() => started.length === 1);
    mine.delete('a');
    await c.abortWhere((req) => req.name.startsWith('a-'));
    expect(aborted).toEqual(['a-1']);
    await until(() => started.length === 2);
    expect(started).toEqual(['a-1', 'b-1']);
    // b-1 is untouched by the abort of shard a.
    expect(aborted).toEqual(['a-1']);
    expect(c.queue.numRequeues('n/a-1')).toBe(0);
    await c.abortWhere((req) => req.name === 'b-1');
    await until(() => c.queue.inFlight() === 0);
    expect(c.queue.len()).toBe(0);
    expect(c.queue.waitingLen()).toBe(1); // b-1 is still ours: its failure is retried with backoff
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="sharded"} 1');
    await c.stop();
  });
});

describe('event mapping', () => {
  it('maps owned objects to their controlling owner of the right group and kind', () => {
    const owned = obj({
      ownerReferences: [
        { apiVersion: 'example.com/v1', kind: 'Widget', name: 'not-controller', uid: '1' },
        { apiVersion: 'example.com/v2', kind: 'Widget', name: 'w', uid: '2', controller: true },
      ],
    });
    expect(ownerRequests(owned, Widget)).toEqual([{ namespace: 'ns', name: 'w' }]);
    expect(ownerRequests(owned, resourceType('other.io/v1', 'Widget', 'widgets'))).toEqual([]);
    expect(ownerRequests(obj({}), Widget)).toEqual([]);
    const clusterOwner = resourceType('example.com/v1', 'Widget', 'widgets', false);
    expect(ownerRequests(owned, clusterOwner)).toEqual([{ name: 'w' }]);
  });

  it('maps by labels and the object itself', () => {
    expect(requestFor(obj({ name: 'x' }))).toEqual({ namespace: 'ns', name: 'x' });
    expect(requestFor({ metadata: { name: 'n' } })).toEqual({ name: 'n' });
    const map = requestsFromLabels('example.com/widget', 'example.com/widget-namespace');
    expect(
      map(obj({ labels: { 'example.com/widget': 'w', 'example.com/widget-namespace': 'other' } })),
    ).toEqual([{ namespace: 'other', name: 'w' }]);
    expect(
      requestsFromLabels('example.com/widget')(obj({ labels: { 'example.com/widget': 'w' } })),
    ).toEqual([{ namespace: 'ns', name: 'w' }]);
    expect(map(obj({}))).toEqual([]);
  });

  it('filters through predicates and maps both sides of an update', () => {
    const got: string[] = [];
    const h = mappingHandler(
      requestsFromLabels('owner'),
      [ignoreStatusOnlyChanges()],
      (r) => void got.push(`${r.namespace}/${r.name}`),
    );
    const before = obj(
      { labels: { owner: 'a' }, resourceVersion: '1', generation: 1 },
      { status: { x: 1 } },
    );
    const statusOnly = obj(
      { labels: { owner: 'a' }, resourceVersion: '2', generation: 1 },
      { status: { x: 2 } },
    );
    h.onUpdate?.(before, statusOnly);
    expect(got).toEqual([]);
    const relabelled = obj(
      { labels: { owner: 'b' }, resourceVersion: '3', generation: 1 },
      { status: { x: 2 } },
    );
    h.onUpdate?.(statusOnly, relabelled);
    expect(got).toEqual(['ns/a', 'ns/b']);
    h.onAdd?.(before);
    h.onDelete?.(relabelled);
    expect(got).toEqual(['ns/a', 'ns/b', 'ns/a', 'ns/b']);
  });

  it('combines predicates', () => {
    const g1 = obj({ generation: 1 });
    const g2 = obj({ generation: 2 });
    expect(generationChanged().update?.(g1, g2)).toBe(true);
    expect(generationChanged().update?.(g1, g1)).toBe(false);
    expect(not(generationChanged()).update?.(g1, g1)).toBe(true);
    expect(or(generationChanged(), { update: () => false }).update?.(g1, g1)).toBe(false);
    const spec1 = obj({ resourceVersion: '1' }, { data: { a: '1' } });
    const spec2 = obj({ resourceVersion: '2' }, { data: { a: '2' } });
    expect(ignoreStatusOnlyChanges().update?.(spec1, spec2)).toBe(true);
    expect(Resources.ConfigMap.plural).toBe('configmaps');
  });
});
