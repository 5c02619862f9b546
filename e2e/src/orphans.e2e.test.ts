// Orphans (Lynq e2e "orphan" group, reference §3.3 step 3, §5.2, §5.6): a resource removed from
// the form is deleted (Delete) or kept with orphan markers (Retain), for built-in kinds Lynq could
// not address (PodDisruptionBudget: quirk 13) as well; when it comes back it is re-adopted, the
// same object with its markers removed.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Labels, OrphanReasons, type TResourceInput } from '@lynq/api';
import { resourceType } from '@lynq/runtime';
import {
  Res,
  configMap,
  form,
  hub,
  manifest,
  mysqlSource,
  nodeName,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'orphans' });
const HUB = 'orph';
const FORM = 'f';
const UID = 'o1';
const NODE = nodeName(UID, FORM);
const Pdb = resourceType('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets');

interface Obj {
  metadata: {
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
}

const keep = configMap('keep', { x: '1' });
const dropDelete = configMap('drop-delete', { x: '1' });
const dropRetain = configMap('drop-retain', { x: '1' }, { deletionPolicy: 'Retain' });
const dropPdb = manifest('drop-pdb', {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  spec: { minAvailable: 1, selector: { matchLabels: { app: '{{ .uid }}' } } },
});

async function setResources(configMaps: TResourceInput[], podDisruptionBudgets: TResourceInput[]) {
  // A whole-list replacement: merge patch replaces lists. No resourceVersion precondition: the
  // operator writes the form's status all the time, and only this test writes its spec.
  await s.kube.mergePatch(Res.Form, FORM, s.namespace, {
    spec: {
      configMaps,
      podDisruptionBudgets: podDisruptionBudgets.length > 0 ? podDisruptionBudgets : null,
    },
  });
}

beforeAll(async () => {
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'x', region: 'y' }]);
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [keep, dropDelete, dropRetain],
      podDisruptionBudgets: [dropPdb],
    }),
  );
});

const uids: Record<string, string> = {};

describe('orphans', () => {
  it('records what it applied, with apiVersions', async () => {
    const node = await s.nodeReady(NODE);
    for (const name of ['keep', 'drop-delete', 'drop-retain'])
      uids[name] = (
        await s.kube.mustGet<Obj>(Res.ConfigMap, `${UID}-${name}`, s.namespace)
      ).metadata.uid;
    await s.object(Pdb, `${UID}-drop-pdb`);
    const refs = (node.status?.appliedResourceRefs ?? [])
      .map((r) => `${r.apiVersion} ${r.kind} ${r.name}@${r.id}`)
      .sort();
    expect(refs).toEqual([
      `policy/v1 PodDisruptionBudget ${UID}-drop-pdb@drop-pdb`,
      `v1 ConfigMap ${UID}-drop-delete@drop-delete`,
      `v1 ConfigMap ${UID}-drop-retain@drop-retain`,
      `v1 ConfigMap ${UID}-keep@keep`,
    ]);
  });

  it('a resource removed from the form is deleted (Delete) or kept with orphan markers (Retain)', async () => {
    await setResources([keep], []);
    await s.gone(Res.ConfigMap, `${UID}-drop-delete`, { timeoutMs: 30_000 });
    await s.gone(Pdb, `${UID}-drop-pdb`, { timeoutMs: 30_000 });
    const retained = await s.waitFor(
      async (note) => {
        const o = await s.kube.get<Obj>(Res.ConfigMap, `${UID}-drop-retain`, s.namespace);
        note(o?.metadata);
        return o?.metadata.labels?.[Labels.Orphaned] === 'true' ? o : undefined;
      },
      { what: 'drop-retain marked orphaned', timeoutMs: 30_000 },
    );
    expect(retained.metadata.uid).toBe(uids['drop-retain']);
    expect(retained.metadata.annotations?.[Annotations.OrphanedReason]).toBe(
      OrphanReasons.RemovedFromTemplate,
    );
    expect(retained.metadata.annotations?.[Annotations.OrphanedAt]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(retained.metadata.labels?.[Labels.Node]).toBeUndefined();
    expect(retained.metadata.labels?.[Labels.NodeNamespace]).toBeUndefined();
    expect((await s.kube.get<Obj>(Res.ConfigMap, `${UID}-keep`, s.namespace))?.metadata.uid).toBe(
      uids['keep'],
    );

    const about = { kind: 'LynqNode', name: NODE };
    await s.event(about, 'OrphanedResourceDeleted');
    await s.event(about, 'OrphanedResourceRetained');
    await s.event({ kind: 'ConfigMap', name: `${UID}-drop-retain` }, 'OrphanMarkersAdded');

    const node = await s.waitFor(
      async (note) => {
        const n = await s.node(NODE);
        note(n?.status?.appliedResourceRefs);
        return n?.status?.appliedResourceRefs?.length === 1 ? n : undefined;
      },
      { what: 'appliedResourceRefs down to keep', timeoutMs: 20_000 },
    );
    expect(node.status?.appliedResourceRefs?.[0]).toMatchObject({ kind: 'ConfigMap', id: 'keep' });
  });

  it('a retained resource that comes back to the form is re-adopted: the same object, markers removed, tracked again', async () => {
    await setResources([keep, dropRetain], []);
    const adopted = await s.waitFor(
      async (note) => {
        const o = await s.kube.get<Obj>(Res.ConfigMap, `${UID}-drop-retain`, s.namespace);
        note(o?.metadata);
        return o !== undefined &&
          o.metadata.labels?.[Labels.Orphaned] === undefined &&
          o.metadata.labels?.[Labels.Node] === NODE
          ? o
          : undefined;
      },
      { what: 'drop-retain re-adopted', timeoutMs: 30_000 },
    );
    expect(adopted.metadata.uid).toBe(uids['drop-retain']);
    expect(adopted.metadata.annotations?.[Annotations.OrphanedReason]).toBeUndefined();
    expect(adopted.metadata.annotations?.[Annotations.OrphanedAt]).toBeUndefined();
    expect(adopted.metadata.labels?.[Labels.NodeNamespace]).toBe(s.namespace);
    await s.event({ kind: 'ConfigMap', name: `${UID}-drop-retain` }, 'OrphanMarkersRemoved');
    await s.nodeReady(NODE);
  });

  it('a Delete resource that comes back is created again', async () => {
    await setResources([keep, dropRetain, dropDelete], [dropPdb]);
    const back = await s.object<Obj>(Res.ConfigMap, `${UID}-drop-delete`, { timeoutMs: 30_000 });
    expect(back.metadata.uid).not.toBe(uids['drop-delete']);
    expect(back.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'LynqNode', name: NODE });
    await s.object(Pdb, `${UID}-drop-pdb`, { timeoutMs: 30_000 });
    await s.nodeReady(NODE);
  });
});
