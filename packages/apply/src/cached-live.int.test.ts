// `cachedLive`: the caller's watch-cache copy replaces the GET; a stale copy never loses a change.
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from './object-ref.js';
import {
  configMapPath,
  connect,
  getRaw,
  mergePatchAs,
  type TestCluster,
} from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-cached' });
let t: TestCluster;
beforeAll(async () => {
  t = await connect();
});
afterAll(() => t?.client.close());

const cm = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns.name },
  data,
});

/** Requests by method that `run` sent. */
async function counted(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = { ...t.client.stats().byMethod };
  await run();
  const after = t.client.stats().byMethod;
  const out: Record<string, number> = {};
  for (const [method, n] of Object.entries(after)) {
    const d = n - ((before as Record<string, number>)[method] ?? 0);
    if (d > 0) out[method] = d;
  }
  return out;
}

describe('applying with a cached live object', () => {
  it('an unchanged object costs no request at all (once the kind’s schema is known)', async () => {
    const first = await t.applier.apply(cm('quiet', { a: '1' }));
    await t.applier.apply(cm('quiet', { a: '1' })); // reads the OpenAPI list types, once
    const requests = await counted(async () => {
      const again = await t.applier.apply(cm('quiet', { a: '1' }), { cachedLive: first.object });
      expect(again.action).toBe('unchanged');
    });
    expect(requests).toEqual({});
  });

  it('a changed object is one PATCH, no GET', async () => {
    const first = await t.applier.apply(cm('one-write', { a: '1' }));
    const requests = await counted(async () => {
      const next = await t.applier.apply(cm('one-write', { a: '2' }), {
        cachedLive: first.object,
      });
      expect(next.action).toBe('updated');
    });
    expect(requests).toEqual({ PATCH: 1 });
    expect((await getRaw(t.client, configMapPath(ns.name, 'one-write')))?.['data']).toEqual({
      a: '2',
    });
  });

  it('a copy of another object is ignored: the object is read', async () => {
    const other = await t.applier.apply(cm('other', { a: '1' }));
    const requests = await counted(async () => {
      const created = await t.applier.apply(cm('mine', { a: '1' }), { cachedLive: other.object });
      expect(created.action).toBe('created');
    });
    expect(requests['GET']).toBe(1);
  });

  it('replace with a stale copy reads again and lands the change', async () => {
    const first = await t.applier.apply(cm('stale', { a: '1' }), { strategy: 'replace' });
    // Someone else writes after the cache's copy was taken.
    await mergePatchAs(t.client, 'kubectl-edit', configMapPath(ns.name, 'stale'), {
      metadata: { labels: { edited: 'yes' } },
    });
    const result = await t.applier.apply(cm('stale', { a: '2' }), {
      strategy: 'replace',
      cachedLive: first.object,
    });
    expect(result.action).toBe('updated');
    const live = await getRaw(t.client, configMapPath(ns.name, 'stale'));
    expect(live?.['data']).toEqual({ a: '2' });
  });

  it('Server-Side Apply with a stale copy still lands the change', async () => {
    const first = await t.applier.apply(cm('stale-ssa', { a: '1' }));
    await t.applier.apply(cm('stale-ssa', { a: '2' }));
    // The cache still holds a=1: the desired a=1 looks unchanged against it and is skipped; the
    // watch event of a=2 then brings a fresh copy and the apply writes.
    const skipped = await t.applier.apply(cm('stale-ssa', { a: '1' }), {
      cachedLive: first.object,
    });
    expect(skipped.action).toBe('unchanged');
    const fresh = await getRaw(t.client, configMapPath(ns.name, 'stale-ssa'));
    const written = await t.applier.apply(cm('stale-ssa', { a: '1' }), {
      cachedLive: fresh ?? undefined,
    });
    expect(written.action).toBe('updated');
    expect((await getRaw(t.client, configMapPath(ns.name, 'stale-ssa')))?.['data']).toEqual({
      a: '1',
    });
  });

  it('null (the synced cache has no such object) creates with one PATCH and no GET', async () => {
    await t.applier.apply(cm('warm', { a: '1' })); // discovery and list types, once
    const requests = await counted(async () => {
      const created = await t.applier.apply(cm('fresh', { a: '1' }), { cachedLive: null });
      expect(created.action).toBe('created');
    });
    expect(requests).toEqual({ PATCH: 1 });
  });

  it('null for an object the cache had not seen yet still lands the change', async () => {
    await t.applier.apply(cm('unseen', { a: '1' }));
    const applied = await t.applier.apply(cm('unseen', { a: '2' }), { cachedLive: null });
    expect(applied.action).toBe('updated');
    expect((await getRaw(t.client, configMapPath(ns.name, 'unseen')))?.['data']).toEqual({
      a: '2',
    });
    // replace creates with POST: the conflict makes it read the object and update it.
    await t.applier.apply(cm('unseen-replace', { a: '1' }), { strategy: 'replace' });
    const replaced = await t.applier.apply(cm('unseen-replace', { a: '2' }), {
      strategy: 'replace',
      cachedLive: null,
    });
    expect(replaced.action).toBe('updated');
    expect((await getRaw(t.client, configMapPath(ns.name, 'unseen-replace')))?.['data']).toEqual({
      a: '2',
    });
  });
});
