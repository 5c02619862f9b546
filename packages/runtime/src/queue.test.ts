import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { WorkQueue } from './queue.js';
import type { QueueMetrics } from './queue-metrics.js';

function recordingMetrics() {
  const m = { adds: 0, depth: 0, queued: [] as number[], worked: [] as number[], retries: 0 };
  const metrics: QueueMetrics = {
    added: () => void m.adds++,
    depth: (n) => void (m.depth = n),
    queued: (ms) => void m.queued.push(ms),
    worked: (ms) => void m.worked.push(ms),
    retried: () => void m.retries++,
  };
  return { m, metrics };
}

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('serves urgent keys first, each lane in FIFO order', () => {
    const q = new WorkQueue();
    q.add('n1');
    q.add('n2');
    q.add('u1', { urgent: true });
    q.add('n3');
    q.add('u2', { urgent: true });
    expect(q.len()).toBe(5);
    const order = Array.from({ length: 5 }, () => q.tryGet());
    expect(order).toEqual(['u1', 'u2', 'n1', 'n2', 'n3']);
    expect(q.tryGet()).toBeUndefined();
  });

  it('moves a waiting key up when it is added as urgent, once, and its old place is skipped', () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'c']) q.add(k);
    q.add('c', { urgent: true });
    q.add('c', { urgent: true });
    q.add('c'); // already waiting (as urgent): stays where it is
    expect(q.len()).toBe(3);
    expect(q.tryGet()).toBe('c');
    q.done('c');
    q.add('c'); // queued again, normally: behind b, not at its stale place ahead of it
    expect([q.tryGet(), q.tryGet(), q.tryGet(), q.tryGet()]).toEqual(['a', 'b', 'c', undefined]);
  });

  it('queues a key added as urgent while in flight as urgent when it is done', () => {
    const q = new WorkQueue();
    q.add('busy');
    expect(q.tryGet()).toBe('busy');
    q.add('other');
    q.add('busy', { urgent: true });
    expect(q.len()).toBe(1);
    q.done('busy');
    expect([q.tryGet(), q.tryGet()]).toEqual(['busy', 'other']);
    q.done('busy');
    // The mark does not outlive that one re-add.
    q.add('x');
    q.add('busy');
    expect([q.tryGet(), q.tryGet()]).toEqual(['x', 'busy']);
  });

  it('hands out keys in FIFO order', async () => {
    const q = new WorkQueue();
    for (let i = 0; i < 3000; i++) q.add(`k${i}`);
    for (let i = 0; i < 3000; i++) {
      const key = await q.get();
      expect(key).toBe(`k${i}`);
      q.done(key as string);
    }
  });

  it('never hands a key to two workers at once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a'); // changed while in flight
    expect(q.len()).toBe(0); // not queued while a worker holds it
    expect(q.tryGet()).toBeUndefined();
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('a');
    await waiting;
    expect(second).toBe('a');
  });

  it('processes a key again after an in-flight change, once', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = q.tryGet();
    q.add('a');
    q.add('a');
    q.done(key as string);
    expect(q.len()).toBe(1);
    expect(q.tryGet()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('does not requeue a key that was not changed while in flight', () => {
    const q = new WorkQueue();
    q.add('a');
    q.done(q.tryGet() as string);
    expect(q.len()).toBe(0);
    expect(q.inFlight()).toBe(0);
  });

  it('with many concurrent workers, no key is ever processed twice at the same time', async () => {
    const q = new WorkQueue();
    const active = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async () => {
      for (;;) {
        const key = await q.get();
        if (key === undefined) return;
        if (active.has(key)) overlaps++;
        active.add(key);
        await Promise.resolve();
        if (processed % 3 === 0) q.add(key); // a change arrives while in flight
        await Promise.resolve();
        active.delete(key);
        processed++;
        q.done(key);
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 5; k++) q.add(`k${k}`);
      await new Promise((r) => setImmediate(r));
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(processed).toBeGreaterThan(50);
  });

  it('shutDown lets workers take what is queued, then resolves undefined and ignores adds', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.shutDown();
    q.add('b');
    expect(q.shuttingDown).toBe(true);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBeUndefined();
  });

  it('shutDown wakes idle workers', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.shutDown();
    expect(await got).toBeUndefined();
  });

  it('shutDownWithDrain waits for keys in flight', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = (await q.get()) as string;
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(key);
    await drain;
    expect(drained).toBe(true);
  });

  it('reports adds, depth and durations on its clock', async () => {
    const clock = new FakeClock();
    const { m, metrics } = recordingMetrics();
    const q = new WorkQueue({ clock, metrics });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(m.adds).toBe(2);
    expect(m.depth).toBe(2);
    clock.advance(30);
    const key = (await q.get()) as string;
    expect(m.queued).toEqual([30]);
    expect(m.depth).toBe(1);
    clock.advance(7);
    q.done(key);
    expect(m.worked).toEqual([7]);
  });
});
