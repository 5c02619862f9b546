// Dependencies (Lynq e2e "dependencies" group, reference §3.3 step 5, §6): levels, waitForReady
// blocking dependents until ready (seen through a watch, not a poll), waitForReady false,
// timeoutSeconds → ReadinessTimeout, and skipOnDependencyFailure true (cascading) / false.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '@lynq/api';
import { uniqueName } from '@lynq/testkit';
import type { ResourceType } from '@lynq/runtime';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  installTestCrd,
  manifest,
  mysqlSource,
  nodeName,
  useScenario,
  type ResourcePolicy,
} from './harness/index.js';

const s = useScenario({ name: 'deps' });
const HUB = 'deps';
const UID = 'd1';
let Gate: ResourceType;

/** A Gate custom resource that is ready only once the test sets `status.open: true`. */
function gate(id: string, policy: ResourcePolicy = {}) {
  return manifest(
    id,
    { apiVersion: Gate.apiVersion, kind: 'Gate', spec: { owner: '{{ .uid }}' } },
    { readyWhen: ['has(self.status) && self.status.open == true'], ...policy },
  );
}

interface Obj {
  metadata: { annotations?: Record<string, string> };
}

beforeAll(async () => {
  const crd = await installTestCrd(s.kube, {
    group: `${uniqueName('deps')}.lynq.test`,
    kind: 'Gate',
    plural: 'gates',
  });
  s.onCleanup(() => crd.remove());
  Gate = crd.type;
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'x', region: 'y' }]);
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  await s.create(
    form({
      name: 'chain',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('top', { level: '2' }, { dependIds: ['mid'] }),
        configMap('mid', { level: '1' }, { dependIds: ['base'] }),
        configMap('base', { level: '0' }),
      ],
    }),
  );
  await s.create(
    form({
      name: 'gated',
      namespace: s.namespace,
      hubId: HUB,
      manifests: [gate('gate-a', { timeoutSeconds: 600 })],
      configMaps: [configMap('after-a', { x: '1' }, { dependIds: ['gate-a'] })],
    }),
  );
  await s.create(
    form({
      name: 'nowait',
      namespace: s.namespace,
      hubId: HUB,
      manifests: [gate('gate-b', { waitForReady: false })],
      configMaps: [configMap('after-b', { x: '1' }, { dependIds: ['gate-b'] })],
    }),
  );
  await s.create(
    form({
      name: 'timeout',
      namespace: s.namespace,
      hubId: HUB,
      manifests: [gate('gate-c', { timeoutSeconds: 5 })],
      configMaps: [
        configMap('skipped', { x: '1' }, { dependIds: ['gate-c'] }),
        configMap('skipped2', { x: '1' }, { dependIds: ['skipped'] }),
        configMap(
          'proceeded',
          { x: '1' },
          { dependIds: ['gate-c'], skipOnDependencyFailure: false },
        ),
      ],
    }),
  );
});

describe('dependencies', () => {
  it('applies level by level: a dependent is applied after what it depends on', async () => {
    await s.nodeReady(nodeName(UID, 'chain'));
    const started = async (id: string) => {
      const obj = await s.kube.mustGet<Obj>(Res.ConfigMap, `${UID}-${id}`, s.namespace);
      return Date.parse(obj.metadata.annotations?.[Annotations.ApplyStartTime] ?? '');
    };
    const [base, mid, top] = [await started('base'), await started('mid'), await started('top')];
    expect(Number.isNaN(base)).toBe(false);
    expect(base).toBeLessThanOrEqual(mid);
    expect(mid).toBeLessThanOrEqual(top);
  });

  it('waitForReady blocks dependents until the dependency is ready, and the readiness change is seen at once', async () => {
    const name = nodeName(UID, 'gated');
    await s.object(Gate, `${UID}-gate-a`);
    await s.waitFor(
      async (note) => {
        const n = await s.node(name);
        note(n?.status);
        return conditionOf(n, 'Ready')?.reason === 'NotAllResourcesReady';
      },
      { what: `LynqNode ${name} Ready=False NotAllResourcesReady`, timeoutMs: 30_000 },
    );
    await s.holdsFor(
      async (note) => {
        const after = await s.kube.get(Res.ConfigMap, `${UID}-after-a`, s.namespace);
        const n = await s.node(name);
        note({ after: after !== undefined, ready: conditionOf(n, 'Ready') });
        return after === undefined && conditionOf(n, 'Ready')?.status !== 'True';
      },
      { what: 'the dependent of a not-ready gate is not applied', durationMs: 4_000 },
    );
    // Blocking is silent: no skip and no failure.
    const blocked = await s.node(name);
    expect(blocked?.status?.skippedResources ?? 0).toBe(0);
    expect(blocked?.status?.failedResources ?? 0).toBe(0);

    const opened = Date.now();
    await s.kube.mergePatch(
      Gate,
      `${UID}-gate-a`,
      s.namespace,
      { status: { open: true } },
      { status: true },
    );
    await s.object(Res.ConfigMap, `${UID}-after-a`, { timeoutMs: 15_000 });
    await s.nodeReady(name, 15_000);
    console.info(`gate opened → dependent applied and node Ready in ${Date.now() - opened} ms`);
  });

  it('waitForReady false: the dependency counts as ready at once', async () => {
    const node = await s.nodeReady(nodeName(UID, 'nowait'));
    expect(node.status).toMatchObject({ readyResources: 2, desiredResources: 2 });
    await s.object(Res.ConfigMap, `${UID}-after-b`);
    const g = await s.kube.mustGet<{ status?: unknown }>(Gate, `${UID}-gate-b`, s.namespace);
    expect(g.status).toBeUndefined();
  });

  it('timeoutSeconds: ReadinessTimeout fails the resource; dependents are skipped (cascading) or proceed with skipOnDependencyFailure false', async () => {
    const name = nodeName(UID, 'timeout');
    const node = await s.waitFor(
      async (note) => {
        const n = await s.node(name);
        note(n?.status);
        return conditionOf(n, 'Ready')?.reason === 'ResourcesFailed' &&
          n?.status?.skippedResources === 2
          ? n
          : undefined;
      },
      { what: `LynqNode ${name} Ready=False ResourcesFailed with 2 skipped`, timeoutMs: 45_000 },
    );
    expect(node.status).toMatchObject({
      failedResources: 1,
      readyResources: 1,
      desiredResources: 4,
    });
    expect([...(node.status?.skippedResourceIds ?? [])].sort()).toEqual(['skipped', 'skipped2']);
    expect(conditionOf(node, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ResourceFailures',
    });

    const about = { kind: 'LynqNode', name };
    const timeouts = await s.event(about, 'ReadinessTimeout');
    expect(timeouts[0]?.type).toBe('Warning');
    expect(timeouts[0]?.message).toContain('gate-c');
    const skipped = await s.event(about, 'DependencySkipped');
    expect(skipped.map((e) => e.message).join('\n')).toContain('skipped');
    await s.event(about, 'DependencyFailedButProceeding');

    await s.object(Res.ConfigMap, `${UID}-proceeded`);
    expect(await s.kube.get(Res.ConfigMap, `${UID}-skipped`, s.namespace)).toBeUndefined();
    expect(await s.kube.get(Res.ConfigMap, `${UID}-skipped2`, s.namespace)).toBeUndefined();
  });

  it('a timed-out dependency that becomes ready later unblocks its dependents', async () => {
    const name = nodeName(UID, 'timeout');
    await s.kube.mergePatch(
      Gate,
      `${UID}-gate-c`,
      s.namespace,
      { status: { open: true } },
      { status: true },
    );
    const node = await s.nodeReady(name, 30_000);
    expect(node.status).toMatchObject({ readyResources: 4, desiredResources: 4 });
    expect(node.status?.skippedResources ?? 0).toBe(0);
    await s.object(Res.ConfigMap, `${UID}-skipped`);
    await s.object(Res.ConfigMap, `${UID}-skipped2`);
  });
});
