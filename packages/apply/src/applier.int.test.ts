// Apply strategies, no-op skipping, drift, conflicts, ignoreFields and Once against a real API server.
import { Annotations, FIELD_MANAGER } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, FieldValidationError, InvalidObjectError } from './errors.js';
import type { KubeObject } from './object-ref.js';
import {
  annotationsOf,
  applyAs,
  configMapPath,
  connect,
  getRaw,
  mergePatchAs,
  type TestCluster,
} from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply' });
let t: TestCluster;

beforeAll(async () => {
  t = await connect();
});
afterAll(() => t?.client.close());

function configMap(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns.name }, data };
}

function dataOf(obj: KubeObject | null): Record<string, string> {
  return (obj?.['data'] as Record<string, string> | undefined) ?? {};
}

describe('Server-Side Apply', () => {
  it('creates an object with the hash, start time and deletion policy, owned by lynq-operator', async () => {
    const before = t.client.stats();
    const ownership = decideOwnership({
      deletionPolicy: 'Delete',
      node: { name: 'row', namespace: 'elsewhere', uid: 'u' },
      targetNamespace: ns.name,
      namespaced: true,
    });
    const result = await t.applier.apply(configMap('create', { a: '1' }), { ownership });
    expect(result.action).toBe('created');
    expect(result.changed).toBe(true);
    expect(result.writes).toBe(1);
    expect(t.client.stats().writes - before.writes).toBe(1);

    const live = await getRaw(t.client, configMapPath(ns.name, 'create'));
    expect(dataOf(live)).toEqual({ a: '1' });
    const annotations = annotationsOf(live);
    expect(annotations[Annotations.AppliedHash]).toBe(result.hash);
    expect(annotations[Annotations.AppliedHash]).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(annotations[Annotations.ApplyStartTime] ?? '')).not.toBeNaN();
    expect(annotations[Annotations.DeletionPolicy]).toBe('Delete');
    const managers = (
      live?.metadata['managedFields'] as { manager: string; operation: string }[]
    ).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toEqual([`${FIELD_MANAGER}/Apply`]);
  });

  it('does not write an unchanged object again (resourceVersion kept, zero writes)', async () => {
    const first = await t.applier.apply(configMap('same', { a: '1' }));
    const before = t.client.stats();
    const again = await t.applier.apply(configMap('same', { a: '1' }));
    expect(again.action).toBe('unchanged');
    expect(again.writes).toBe(0);
    expect(t.client.stats().writes).toBe(before.writes);
    expect(again.object.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
    const live = await getRaw(t.client, configMapPath(ns.name, 'same'));
    expect(live?.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it('writes exactly once per change and keeps the start time while the hash is unchanged', async () => {
    const first = await t.applier.apply(configMap('change', { a: '1' }));
    const start = annotationsOf(first.object)[Annotations.ApplyStartTime];

    const forced = await t.applier.apply(configMap('change', { a: '1' }), { force: true });
    expect(forced.writes).toBe(1);
    expect(annotationsOf(forced.object)[Annotations.ApplyStartTime]).toBe(start);

    await new Promise((resolve) => setTimeout(resolve, 5)); // a distinct millisecond for the new start time
    const before = t.client.stats();
    const changed = await t.applier.apply(configMap('change', { a: '2' }));
    expect(changed.action).toBe('updated');
    expect(changed.writes).toBe(1);
    expect(t.client.stats().writes - before.writes).toBe(1);
    expect(changed.hash).not.toBe(first.hash);
    expect(annotationsOf(changed.object)[Annotations.ApplyStartTime]).not.toBe(start);
    expect(Number(changed.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(first.object.metadata.resourceVersion),
    );
  });

  it('reverts a manual edit (drift) on the next apply', async () => {
    await t.applier.apply(configMap('drift', { a: '1', b: '2' }));
    const path = configMapPath(ns.name, 'drift');
    // Someone removes a key: nobody owns it any more, so even Stuck takes it back.
    await mergePatchAs(t.client, 'drift-test', path, { data: { b: null } });
    const reverted = await t.applier.apply(configMap('drift', { a: '1', b: '2' }));
    expect(reverted.action).toBe('updated');
    expect(dataOf(await getRaw(t.client, path))).toEqual({ a: '1', b: '2' });

    // Someone changes a value: the editor now owns the field; Stuck reports it, Force takes it back.
    await mergePatchAs(t.client, 'drift-test', path, { data: { a: 'edited' } });
    const stuck = t.applier.apply(configMap('drift', { a: '1', b: '2' }));
    await expect(stuck).rejects.toBeInstanceOf(ConflictError);
    const forced = await t.applier.apply(configMap('drift', { a: '1', b: '2' }), {
      conflictPolicy: 'Force',
    });
    expect(forced.action).toBe('updated');
    expect(dataOf(await getRaw(t.client, path))).toEqual({ a: '1', b: '2' });
  });

  it('sees reordered or shortened list drift, and ignores entries other managers add to map lists', async () => {
    const deployment = (args: string[]): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lists', namespace: ns.name },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'lists' } },
        template: {
          metadata: { labels: { app: 'lists' } },
          spec: { containers: [{ name: 'app', image: 'registry.example/app:1', args }] },
        },
      },
    });
    const path = `/apis/apps/v1/namespaces/${ns.name}/deployments/lists`;
    const desired = deployment(['--a', '--b', '--b']);
    await t.applier.apply(desired);
    expect((await t.applier.apply(desired)).action).toBe('unchanged');

    // A sidecar added by another manager (a mutating webhook, say) is not drift: containers are
    // a map list keyed by name.
    await applyAs(t.client, 'sidecar-injector', path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lists', namespace: ns.name },
      spec: {
        template: {
          spec: { containers: [{ name: 'sidecar', image: 'registry.example/sidecar:1' }] },
        },
      },
    } as KubeObject);
    const before = t.client.stats().writes;
    expect((await t.applier.apply(desired)).action).toBe('unchanged');
    expect(t.client.stats().writes).toBe(before);

    // Container args are an atomic list: reordered, or a duplicate removed, is drift.
    for (const edited of [
      ['--b', '--a', '--b'],
      ['--a', '--b'],
    ]) {
      const live = (await getRaw(t.client, path)) as unknown as {
        spec: { template: { spec: { containers: { name: string; image: string }[] } } };
      };
      const containers = live.spec.template.spec.containers.map((c) =>
        c.name === 'app' ? { ...c, args: edited } : c,
      );
      await mergePatchAs(t.client, 'drift-test', path, {
        spec: { template: { spec: { containers } } },
      });
      const repaired = await t.applier.apply(desired, { conflictPolicy: 'Force' });
      expect(repaired.action).toBe('updated');
    }
  });

  it('Stuck reports the other field manager and its fields; Force takes them', async () => {
    const path = configMapPath(ns.name, 'contested');
    await applyAs(
      t.client,
      'other-manager',
      path,
      configMap('contested', { shared: 'theirs', own: 'x' }),
    );

    const error = await t.applier
      .apply(configMap('contested', { shared: 'ours' }), { conflictPolicy: 'Stuck' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ConflictError);
    const conflict = error as ConflictError;
    expect(conflict.status).toBe(409);
    expect(conflict.managers).toEqual(['other-manager']);
    expect(conflict.conflicts).toEqual([
      { manager: 'other-manager', operation: 'Apply', field: '.data.shared' },
    ]);
    expect(conflict.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns.name,
      name: 'contested',
    });
    expect(dataOf(await getRaw(t.client, path))).toEqual({ shared: 'theirs', own: 'x' });

    const forced = await t.applier.apply(configMap('contested', { shared: 'ours' }), {
      conflictPolicy: 'Force',
    });
    expect(forced.action).toBe('updated');
    expect(dataOf(forced.object)).toEqual({ shared: 'ours', own: 'x' });
  });

  it('refuses a misspelled field under Strict field validation', async () => {
    const typo: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'typo', namespace: ns.name },
      dta: { a: '1' },
    };
    const error = await t.applier.apply(typo).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(FieldValidationError);
    expect((error as FieldValidationError).fields).toEqual(['.dta']);
    expect((error as FieldValidationError).message).toContain('ConfigMap');
    expect(await getRaw(t.client, configMapPath(ns.name, 'typo'))).toBeNull();

    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typo', namespace: ns.name },
      spec: {
        replicaz: 2,
        selector: { matchLabels: { app: 'typo' } },
        template: {
          metadata: { labels: { app: 'typo' } },
          spec: { containers: [{ name: 'app', image: 'nginx' }] },
        },
      },
    };
    const deploymentError = await t.applier.apply(deployment).catch((err: unknown) => err);
    expect((deploymentError as FieldValidationError).fields).toEqual(['.spec.replicaz']);
    // create (merge strategy) fails the same way
    const created = await t.applier
      .apply(deployment, { strategy: 'merge' })
      .catch((err: unknown) => err);
    expect(created).toBeInstanceOf(FieldValidationError);
    expect((created as FieldValidationError).fields).toEqual(['spec.replicaz']);
  });

  it('refuses an ignoreFields path that is not JSONPath, naming it', async () => {
    const error = await t.applier
      .apply(configMap('bad-path', {}), { ignoreFields: ['$.data', '$.data[?(@.a =='] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InvalidObjectError);
    expect((error as InvalidObjectError).field).toBe('ignoreFields[1]');
  });
});

describe('merge and replace strategies', () => {
  const path = (name: string) => configMapPath(ns.name, name);

  it('apply keeps fields owned by another manager', async () => {
    await t.applier.apply(configMap('s-apply', { a: '1' }));
    await mergePatchAs(t.client, 'someone', path('s-apply'), { data: { manual: 'kept' } });
    await t.applier.apply(configMap('s-apply', { a: '2' }));
    expect(dataOf(await getRaw(t.client, path('s-apply')))).toEqual({ a: '2', manual: 'kept' });
  });

  it('merge creates, then merge-patches and keeps manually added fields', async () => {
    const created = await t.applier.apply(configMap('s-merge', { a: '1' }), { strategy: 'merge' });
    expect(created.action).toBe('created');
    await mergePatchAs(t.client, 'someone', path('s-merge'), { data: { manual: 'kept' } });
    const before = t.client.stats();
    const updated = await t.applier.apply(configMap('s-merge', { a: '2' }), { strategy: 'merge' });
    expect(updated.action).toBe('updated');
    expect(t.client.stats().writes - before.writes).toBe(1);
    expect(dataOf(await getRaw(t.client, path('s-merge')))).toEqual({ a: '2', manual: 'kept' });
    const unchanged = await t.applier.apply(configMap('s-merge', { a: '2' }), {
      strategy: 'merge',
    });
    expect(unchanged.action).toBe('unchanged');
  });

  it('replace creates, then updates with the live resourceVersion and drops manual fields', async () => {
    const created = await t.applier.apply(configMap('s-replace', { a: '1' }), {
      strategy: 'replace',
    });
    expect(created.action).toBe('created');
    await mergePatchAs(t.client, 'someone', path('s-replace'), {
      data: { manual: 'dropped' },
      metadata: { labels: { manual: 'dropped' } },
    });
    const before = t.client.stats();
    const updated = await t.applier.apply(configMap('s-replace', { a: '2' }), {
      strategy: 'replace',
    });
    expect(updated.action).toBe('updated');
    expect(t.client.stats().writes - before.writes).toBe(1);
    const live = await getRaw(t.client, path('s-replace'));
    expect(dataOf(live)).toEqual({ a: '2' });
    expect(live?.metadata.labels).toBeUndefined();
    expect(annotationsOf(live)[Annotations.AppliedHash]).toBe(updated.hash);
  });
});

describe('ignoreFields and Once', () => {
  it('keeps the live value of ignored fields on existing objects', async () => {
    await t.applier.apply(configMap('ignored', { tuned: '1', a: '1' }));
    await mergePatchAs(t.client, 'autoscaler', configMapPath(ns.name, 'ignored'), {
      data: { tuned: '5' },
    });
    const result = await t.applier.apply(configMap('ignored', { tuned: '1', a: '2' }), {
      ignoreFields: ['$.data.tuned'],
    });
    expect(result.action).toBe('updated');
    expect(dataOf(result.object)).toEqual({ tuned: '5', a: '2' });
    // With the ignored field taken from live, the next identical apply is a no-op.
    const again = await t.applier.apply(configMap('ignored', { tuned: '1', a: '2' }), {
      ignoreFields: ['$.data.tuned'],
    });
    expect(again.action).toBe('unchanged');
  });

  it('Once creates with the created-once marker and never touches the object again', async () => {
    const created = await t.applier.apply(configMap('once', { a: '1' }), {
      creationPolicy: 'Once',
    });
    expect(created.action).toBe('created');
    expect(annotationsOf(created.object)[Annotations.CreatedOnce]).toBe('true');
    const before = t.client.stats();
    const second = await t.applier.apply(configMap('once', { a: 'changed' }), {
      creationPolicy: 'Once',
    });
    expect(second.action).toBe('skipped');
    expect(second.writes).toBe(0);
    expect(t.client.stats().writes).toBe(before.writes);
    expect(dataOf(await getRaw(t.client, configMapPath(ns.name, 'once')))).toEqual({ a: '1' });
  });
});

describe('applyBatch', () => {
  it('applies many objects with bounded concurrency, one result each, failures kept per object', async () => {
    const objects: KubeObject[] = Array.from({ length: 24 }, (_, i) =>
      configMap(`batch-${i}`, { i: String(i) }),
    );
    objects.splice(5, 0, {
      apiVersion: 'v1',
      kind: 'NoSuchKind',
      metadata: { name: 'x', namespace: ns.name },
    });
    objects.splice(9, 0, { ...configMap('batch-bad', {}), dta: {} });

    const first = await t.applier.applyBatch(objects, { concurrency: 4, listThreshold: 10 });
    expect(first).toHaveLength(26);
    expect(first.filter((r) => r.ok)).toHaveLength(24);
    expect(first[5]?.ok).toBe(false);
    expect(first[5]?.ref.kind).toBe('NoSuchKind');
    expect(first[9]?.ok).toBe(false);
    expect(first.every((r) => !r.ok || r.result.action === 'created')).toBe(true);

    const good = objects.filter((_, i) => i !== 5 && i !== 9);
    const before = t.client.stats();
    const second = await t.applier.applyBatch(good, { concurrency: 4, listThreshold: 10 });
    expect(second.every((r) => r.ok && r.result.action === 'unchanged')).toBe(true);
    expect(t.client.stats().writes).toBe(before.writes);
    // one LIST for the whole group instead of 24 GETs
    expect(t.client.stats().byMethod.GET - before.byMethod.GET).toBe(1);
  });
});
