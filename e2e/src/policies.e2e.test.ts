// Every resource policy (Lynq e2e "policies" group, reference §1.2, §5, §7): creationPolicy
// Once/WhenNeeded, deletionPolicy Delete/Retain, conflictPolicy Stuck/Force against a foreign field
// manager, patchStrategy apply/merge/replace, and ignoreFields.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, FIELD_MANAGER, Labels, OrphanReasons } from '@lynq/api';
import {
  Res,
  conditionOf,
  configMap,
  deployment,
  form,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'policies' });
const HUB = 'pol';
const UID = 'p1';

interface ManagedField {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:data'?: Record<string, unknown> };
}
interface Cm {
  metadata: {
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
    managedFields?: ManagedField[];
  };
  data?: Record<string, string>;
}
interface Deploy {
  spec: {
    replicas: number;
    template: { spec: { containers: { env?: { name: string; value: string }[] }[] } };
  };
}

const cm = (name: string) => s.kube.get<Cm>(Res.ConfigMap, name, s.namespace);

function cmWhere(
  name: string,
  what: string,
  ok: (c: Cm) => boolean,
  timeoutMs = 30_000,
): Promise<Cm> {
  return s.waitFor(
    async (note) => {
      const c = await cm(name);
      note(
        c === undefined
          ? 'absent'
          : { data: c.data, labels: c.metadata.labels, annotations: c.metadata.annotations },
      );
      return c !== undefined && ok(c) ? c : undefined;
    },
    { what: `ConfigMap ${name}: ${what}`, timeoutMs },
  );
}

/** SSA of `data` as another field manager (kubectl apply --server-side --force-conflicts). */
function foreignApply(
  name: string,
  data: Record<string, string> | undefined,
  manager: string,
  force: boolean,
) {
  return s.kube.apply(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: s.namespace },
      ...(data ? { data } : {}),
    },
    { fieldManager: manager, force },
  );
}

beforeAll(async () => {
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'v1', region: 'eu' }]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
      extraValueMappings: { plan: 'plan' },
    }),
  );
  const v = { v: '{{ .plan }}' };
  await s.create(
    form({
      name: 'life',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('needed', v, { creationPolicy: 'WhenNeeded', deletionPolicy: 'Delete' }),
        configMap('once', v, { creationPolicy: 'Once' }),
        configMap('keep', v, { deletionPolicy: 'Retain' }),
      ],
    }),
  );
  await s.create(
    form({
      name: 'conflict',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('stuck', v, { conflictPolicy: 'Stuck' }),
        configMap('forced', v, { conflictPolicy: 'Force' }),
      ],
    }),
  );
  await s.create(
    form({
      name: 'patch',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('apply', v, { patchStrategy: 'apply' }),
        configMap('merge', v, { patchStrategy: 'merge' }),
        configMap('replace', v, { patchStrategy: 'replace' }),
      ],
      deployments: [
        deployment(
          'scaled',
          { replicas: 1, env: { PLAN: '{{ .plan }}' } },
          { ignoreFields: ['$.spec.replicas'], waitForReady: false },
        ),
      ],
    }),
  );
  // Started with --namespace, the operator writes only into that namespace (ours; Lynq has no
  // such flag): a cluster-scoped or cross-namespace resource is refused, the rest applies.
  await s.create(
    form({
      name: 'scope',
      namespace: s.namespace,
      hubId: HUB,
      namespaces: [
        {
          id: 'space',
          nameTemplate: `${s.namespace}-{{ .uid }}`,
          spec: { apiVersion: 'v1', kind: 'Namespace' },
        },
      ],
      configMaps: [
        configMap('local', { x: '1' }),
        configMap('remote', { x: '1' }, { targetNamespace: 'default' }),
      ],
    }),
  );
});

describe('policies', () => {
  it('tracks Delete objects by ownerReference and Retain objects by labels; stamps the policy, the hash and Once', async () => {
    for (const f of ['life', 'conflict', 'patch']) await s.nodeReady(nodeName(UID, f));
    const needed = await cm('p1-needed');
    expect(needed?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'LynqNode',
      name: 'p1-life',
      controller: true,
    });
    expect(needed?.metadata.annotations?.[Annotations.DeletionPolicy]).toBe('Delete');
    expect(needed?.metadata.annotations?.[Annotations.AppliedHash]).toMatch(/^[0-9a-f]{16}$/);
    expect(needed?.metadata.labels?.[Labels.Node]).toBeUndefined();

    const keep = await cm('p1-keep');
    expect(keep?.metadata.ownerReferences ?? []).toEqual([]);
    expect(keep?.metadata.labels).toMatchObject({
      [Labels.Node]: 'p1-life',
      [Labels.NodeNamespace]: s.namespace,
    });
    expect(keep?.metadata.annotations?.[Annotations.DeletionPolicy]).toBe('Retain');

    const once = await cm('p1-once');
    expect(once?.metadata.annotations?.[Annotations.CreatedOnce]).toBe('true');
    expect(once?.data).toEqual({ v: 'v1' });
  });

  it('a managed object deleted by hand is created again within seconds (watched, not polled)', async () => {
    const before = await cm('p1-needed');
    expect(before).toBeDefined();
    await s.kube.delete(Res.ConfigMap, 'p1-needed', s.namespace);
    const again = await cmWhere(
      'p1-needed',
      'recreated',
      (c) => c.metadata.uid !== before?.metadata.uid,
      10_000,
    );
    expect(again.data).toEqual({ v: 'v1' });
  });

  it('conflictPolicy Force takes a field back from another manager; Stuck reports the conflict and leaves it', async () => {
    await foreignApply('p1-forced', { v: 'theirs' }, 'e2e-intruder', true);
    await foreignApply('p1-stuck', { v: 'theirs' }, 'e2e-intruder', true);

    const forced = await cmWhere(
      'p1-forced',
      'v back to the template value',
      (c) => c.data?.['v'] === 'v1',
    );
    const owners = (forced.metadata.managedFields ?? []).filter(
      (f) => f.fieldsV1?.['f:data']?.['f:v'] !== undefined,
    );
    expect(owners.map((f) => f.manager)).toEqual([FIELD_MANAGER]);

    const node = await s.waitFor(
      async (note) => {
        const n = await s.node('p1-conflict');
        note(n?.status);
        return conditionOf(n, 'Conflicted')?.status === 'True' ? n : undefined;
      },
      { what: 'LynqNode p1-conflict Conflicted=True', timeoutMs: 30_000 },
    );
    expect(conditionOf(node, 'Conflicted')?.reason).toBe('ResourceConflict');
    expect(conditionOf(node, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ResourcesConflicted',
    });
    expect(conditionOf(node, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ResourceConflicts',
    });
    expect(node.status?.conflictedResources).toBe(1);
    const events = await s.event({ kind: 'LynqNode', name: 'p1-conflict' }, 'ResourceConflict');
    expect(events[0]?.type).toBe('Warning');
    expect((await cm('p1-stuck'))?.data?.['v']).toBe('theirs');

    const metrics = await scrapeMetrics(s.operator.metricsUrl);
    const conflicts = metrics.find('lynqnode_conflicts_total', {
      lynqnode: 'p1-conflict',
      namespace: s.namespace,
      resource_kind: 'ConfigMap',
      conflict_policy: 'Stuck',
    });
    expect(conflicts[0]?.value ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('a Stuck node recovers once the other manager lets go of the field', async () => {
    // Applying without the field releases it; with no owner left the server removes it, and the
    // operator puts its value back without a conflict.
    await foreignApply('p1-stuck', undefined, 'e2e-intruder', false);
    await cmWhere('p1-stuck', 'v back to the template value', (c) => c.data?.['v'] === 'v1');
    const node = await s.nodeReady('p1-conflict', 45_000);
    expect(conditionOf(node, 'Conflicted')).toMatchObject({
      status: 'False',
      reason: 'NoConflict',
    });
  });

  it('on a row change: WhenNeeded updates, Once does not; apply and merge keep foreign fields, replace drops them; ignoreFields keeps the scaled replicas', async () => {
    await foreignApply('p1-apply', { extra: 'x' }, 'e2e-sidecar', false);
    await s.kube.mergePatch(
      Res.ConfigMap,
      'p1-merge',
      s.namespace,
      { data: { extra: 'x' } },
      { fieldManager: 'e2e-sidecar' },
    );
    await s.kube.mergePatch(
      Res.ConfigMap,
      'p1-replace',
      s.namespace,
      { data: { extra: 'x' } },
      { fieldManager: 'e2e-sidecar' },
    );
    await s.kube.mergePatch(
      Res.Deployment,
      'p1-scaled',
      s.namespace,
      { spec: { replicas: 2 } },
      { fieldManager: 'e2e-hpa' },
    );

    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'v2' WHERE id = ?`, [UID]);

    await cmWhere('p1-needed', 'v2', (c) => c.data?.['v'] === 'v2');
    await cmWhere('p1-keep', 'v2', (c) => c.data?.['v'] === 'v2');
    await s.nodeReady('p1-life');
    expect((await cm('p1-once'))?.data).toEqual({ v: 'v1' });

    expect((await cmWhere('p1-apply', 'v2', (c) => c.data?.['v'] === 'v2')).data).toEqual({
      v: 'v2',
      extra: 'x',
    });
    expect((await cmWhere('p1-merge', 'v2', (c) => c.data?.['v'] === 'v2')).data).toEqual({
      v: 'v2',
      extra: 'x',
    });
    expect((await cmWhere('p1-replace', 'v2', (c) => c.data?.['v'] === 'v2')).data).toEqual({
      v: 'v2',
    });

    const scaled = await s.waitFor(
      async (note) => {
        const d = await s.kube.get<Deploy>(Res.Deployment, 'p1-scaled', s.namespace);
        const env = d?.spec.template.spec.containers[0]?.env;
        note({ replicas: d?.spec.replicas, env });
        return env?.some((e) => e.name === 'PLAN' && e.value === 'v2') === true ? d : undefined;
      },
      { what: 'Deployment p1-scaled env PLAN=v2', timeoutMs: 30_000 },
    );
    expect(scaled.spec.replicas).toBe(2);
  });

  it('with --namespace, a cluster-scoped or other-namespace resource is refused with ApplyFailed naming the flag; the rest applies', async () => {
    const name = nodeName(UID, 'scope');
    const node = await s.waitFor(
      async (note) => {
        const n = await s.node(name);
        note(n?.status);
        return n?.status?.failedResources === 2 && n.status.readyResources === 1 ? n : undefined;
      },
      { what: `LynqNode ${name}: 2 refused, 1 ready`, timeoutMs: 30_000 },
    );
    expect(conditionOf(node, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ResourcesFailed',
    });
    const refused = await s.event({ kind: 'LynqNode', name }, 'ApplyFailed', {
      messageIncludes: '--namespace',
    });
    const text = refused.map((e) => e.message).join('\n');
    expect(text).toContain('space');
    await s.event({ kind: 'LynqNode', name }, 'ApplyFailed', { messageIncludes: 'remote' });
    await s.object(Res.ConfigMap, `${UID}-local`);
    expect(await s.kube.get(Res.Namespace, `${s.namespace}-${UID}`)).toBeUndefined();
    expect(await s.kube.get(Res.ConfigMap, `${UID}-remote`, 'default')).toBeUndefined();
  });

  it('on deactivation: Delete objects are deleted, Retain objects stay with orphan markers and without tracking', async () => {
    const keepUid = (await cm('p1-keep'))?.metadata.uid;
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = '0' WHERE id = ?`, [UID]);
    for (const f of ['life', 'conflict', 'patch'])
      await s.gone(Res.Node, nodeName(UID, f), { timeoutMs: 45_000 });
    for (const name of [
      'p1-needed',
      'p1-once',
      'p1-stuck',
      'p1-forced',
      'p1-apply',
      'p1-merge',
      'p1-replace',
    ])
      await s.gone(Res.ConfigMap, name, { timeoutMs: 15_000 });
    await s.gone(Res.Deployment, 'p1-scaled', { timeoutMs: 15_000 });
    const keep = await cmWhere(
      'p1-keep',
      'orphan markers',
      (c) => c.metadata.labels?.[Labels.Orphaned] === 'true',
    );
    expect(keep.metadata.uid).toBe(keepUid);
    expect(keep.metadata.annotations?.[Annotations.OrphanedReason]).toBe(OrphanReasons.NodeDeleted);
    expect(keep.metadata.annotations?.[Annotations.OrphanedAt]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(keep.metadata.labels?.[Labels.Node]).toBeUndefined();
    expect(keep.metadata.labels?.[Labels.NodeNamespace]).toBeUndefined();
    expect(keep.metadata.ownerReferences ?? []).toEqual([]);
    expect(keep.data).toEqual({ v: 'v2' });
  });
});
