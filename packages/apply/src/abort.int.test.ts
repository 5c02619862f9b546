// Cancellation against a real API server: an aborted signal sends nothing, an abort stops a batch,
// and a shared discovery or schema read survives one caller's abort.
import { OrphanReasons } from '@lynq/api';
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from './errors.js';
import { ListTypeIndex } from './list-types.js';
import type { KubeObject, ObjectRef } from './object-ref.js';
import { RestMapper } from './rest-mapper.js';
import { configMapPath, connect, getRaw, type TestCluster } from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-abort' });
let t: TestCluster;

beforeAll(async () => {
  t = await connect();
});
afterAll(() => t?.client.close());

function configMap(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns.name },
    data: { a: '1' },
  };
}

function refOfConfigMap(name: string): ObjectRef {
  return { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name, name };
}

const lostLease = () => new Error('lease lost');

describe('an already-aborted signal', () => {
  it('rejects every operation with an AbortedError and sends nothing', async () => {
    await t.applier.apply(configMap('existing'));
    const signal = AbortSignal.abort(lostLease());
    const before = t.client.stats();

    const apply = t.applier.apply(configMap('never'), { signal });
    await expect(apply).rejects.toBeInstanceOf(AbortedError);
    await expect(apply).rejects.toMatchObject({ code: 'ABORTED', message: /lease lost/ });
    await expect(t.applier.get(refOfConfigMap('existing'), { signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    await expect(
      t.applier.markOrphaned(refOfConfigMap('existing'), {
        reason: OrphanReasons.RemovedFromTemplate,
        signal,
      }),
    ).rejects.toBeInstanceOf(AbortedError);
    await expect(
      t.applier.removeOrphanMarkers(refOfConfigMap('existing'), { signal }),
    ).rejects.toBeInstanceOf(AbortedError);
    await expect(t.applier.delete(refOfConfigMap('existing'), { signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    await expect(
      t.client.request({ method: 'GET', path: configMapPath(ns.name, 'existing'), signal }),
    ).rejects.toBeInstanceOf(AbortedError);

    // listThreshold 1 would LIST first: not even that is sent.
    const batch = await t.applier.applyBatch([configMap('never-1'), configMap('never-2')], {
      signal,
      listThreshold: 1,
    });
    expect(batch.map((r) => (r.ok ? 'ok' : r.error.constructor.name))).toEqual([
      'AbortedError',
      'AbortedError',
    ]);

    const after = t.client.stats();
    expect(after.writes).toBe(before.writes);
    expect(after.total).toBe(before.total);
    expect(await getRaw(t.client, configMapPath(ns.name, 'never'))).toBeNull();
    expect(await getRaw(t.client, configMapPath(ns.name, 'existing'))).not.toBeNull();
  });

  it('carries the reason as the cause', async () => {
    const reason = lostLease();
    const err: unknown = await t.applier
      .apply(configMap('never'), { signal: AbortSignal.abort(reason) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).reason).toBe(reason);
    expect((err as AbortedError).cause).toBe(reason);
    expect((err as AbortedError).object).toMatchObject({ kind: 'ConfigMap', name: 'never' });
  });
});

describe('an abort during a batch', () => {
  it('starts no further object and reports the abort as each remaining object’s error', async () => {
    const controller = new AbortController();
    const names = Array.from({ length: 10 }, (_, i) => `batch-${i}`);
    const before = t.client.stats();
    const results = await t.applier.applyBatch(names.map(configMap), {
      concurrency: 1,
      signal: controller.signal,
      // One object at a time, so the abort lands after exactly three objects were written.
      optionsFor: (_object, index) => {
        if (index === 3) controller.abort(lostLease());
        return {};
      },
    });

    expect(results.slice(0, 3).every((r) => r.ok && r.result.action === 'created')).toBe(true);
    for (const r of results.slice(3)) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toBeInstanceOf(AbortedError);
    }
    expect(results.map((r) => r.ref.name)).toEqual(names);
    expect(t.client.stats().writes - before.writes).toBe(3);
    for (const [i, name] of names.entries()) {
      const live = await getRaw(t.client, configMapPath(ns.name, name));
      expect(live === null ? `${name} absent` : `${name} present`).toBe(
        `${name} ${i < 3 ? 'present' : 'absent'}`,
      );
    }
  });
});

describe('an abort in flight', () => {
  it('ends the request with an AbortedError', async () => {
    const controller = new AbortController();
    // A watch answers only when it times out (30 s here): the abort is what ends it.
    const watching = t.client.request({
      method: 'GET',
      path: `/api/v1/namespaces/${ns.name}/configmaps`,
      query: { watch: 'true', timeoutSeconds: '30' },
      signal: controller.signal,
    });
    const started = Date.now();
    setTimeout(() => controller.abort(lostLease()), 200);
    await expect(watching).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('shared discovery and schema reads', () => {
  it('one caller’s abort does not fail another caller of the same discovery read', async () => {
    const mapper = new RestMapper(t.client);
    const controller = new AbortController();
    const aborted = mapper.resolve('v1', 'ConfigMap', undefined, { signal: controller.signal });
    const patient = mapper.resolve('v1', 'ConfigMap');
    const patientWithSignal = mapper.resolve('v1', 'Secret', undefined, {
      signal: new AbortController().signal,
    });
    controller.abort(lostLease());
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    await expect(patient).resolves.toMatchObject({ plural: 'configmaps', namespaced: true });
    await expect(patientWithSignal).resolves.toMatchObject({ plural: 'secrets' });
  });

  it('a read every caller abandoned is not handed to the next caller', async () => {
    const mapper = new RestMapper(t.client);
    const controller = new AbortController();
    const aborted = mapper.resolve('v1', 'ConfigMap', undefined, { signal: controller.signal });
    controller.abort(lostLease());
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    await expect(mapper.resolve('v1', 'ConfigMap')).resolves.toMatchObject({
      plural: 'configmaps',
    });
  });

  it('the same holds for the OpenAPI list-type reads', async () => {
    const index = new ListTypeIndex(t.client);
    const controller = new AbortController();
    const aborted = index.cursor('apps/v1', 'Deployment', { signal: controller.signal });
    const patient = index.cursor('apps/v1', 'Deployment');
    controller.abort(lostLease());
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    const cursor = await patient;
    expect(
      cursor?.field('spec')?.field('template')?.field('spec')?.field('containers')?.listType(),
    ).toEqual({ type: 'map', keys: ['name'] });

    const alone = new ListTypeIndex(t.client);
    const abandoning = new AbortController();
    const abandoned = alone.cursor('apps/v1', 'Deployment', { signal: abandoning.signal });
    abandoning.abort(lostLease());
    await expect(abandoned).rejects.toBeInstanceOf(AbortedError);
    expect(await alone.cursor('apps/v1', 'Deployment')).toBeDefined();
  });
});
