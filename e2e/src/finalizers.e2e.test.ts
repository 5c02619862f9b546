// Finalizers (Lynq e2e "finalizer" group, reference §1.7, §3.1 step 2, §3.3 cleanup): a deleted
// LynqNode cleans up its objects by deletionPolicy before it goes (and the hub makes it again
// while the row is active); a deleted LynqHub takes its nodes with it the same way.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Finalizers, Labels, OrphanReasons } from '@lynq/api';
import { Res, configMap, form, hub, mysqlSource, nodeName, useScenario } from './harness/index.js';

const s = useScenario({ name: 'final' });
const HUB = 'fin';
const FORM = 'app';

interface Obj {
  metadata: {
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
    finalizers?: string[];
    deletionTimestamp?: string;
  };
}

beforeAll(async () => {
  await s.db.insert(s.table, [
    { id: 'f1', active: '1', plan: 'x', region: 'y' },
    { id: 'f2', active: '1', plan: 'x', region: 'y' },
  ]);
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('del', { x: '1' }),
        configMap('ret', { x: '1' }, { deletionPolicy: 'Retain' }),
      ],
    }),
  );
});

const get = (name: string) => s.kube.get<Obj>(Res.ConfigMap, name, s.namespace);

function orphaned(name: string, reason: string) {
  return s.waitFor(
    async (note) => {
      const o = await get(name);
      note(o?.metadata);
      return o?.metadata.labels?.[Labels.Orphaned] === 'true' &&
        o.metadata.annotations?.[Annotations.OrphanedReason] === reason
        ? o
        : undefined;
    },
    { what: `${name} orphaned (${reason})`, timeoutMs: 30_000 },
  );
}

describe('finalizers', () => {
  it('nodes and hubs carry Lynq’s finalizers', async () => {
    const node = await s.nodeReady(nodeName('f1', FORM));
    await s.nodeReady(nodeName('f2', FORM));
    expect(node.metadata.finalizers).toContain(Finalizers.Node);
    expect((await s.hub(HUB))?.metadata.finalizers).toContain(Finalizers.Hub);
  });

  it('deleting a LynqNode deletes its Delete objects, orphans its Retain objects, and the hub makes the node again', async () => {
    const name = nodeName('f1', FORM);
    const before = await s.kube.mustGet<Obj>(Res.Node, name, s.namespace);
    const retUid = (await get('f1-ret'))?.metadata.uid;
    const delUid = (await get('f1-del'))?.metadata.uid;
    await s.kube.delete(Res.Node, name, s.namespace);
    // The finalizer holds the node until its objects are handled.
    await s.waitFor(
      async (note) => {
        const n = await s.kube.get<Obj>(Res.Node, name, s.namespace);
        const del = await get('f1-del');
        note({
          node: n && {
            uid: n.metadata.uid,
            deletionTimestamp: n.metadata.deletionTimestamp,
            finalizers: n.metadata.finalizers,
          },
          del: del?.metadata.uid,
          events: (await s.kube.events(s.namespace, { kind: 'LynqNode', name })).map(
            (e) => `${e.reason}: ${e.message}`,
          ),
        });
        // The new node may have made it again already: a different uid also proves the deletion.
        return del === undefined || del.metadata.uid !== delUid;
      },
      { what: 'f1-del deleted', timeoutMs: 30_000 },
    );
    // Retained: marked orphaned (the new node may have re-adopted it by now, so the marking is
    // read from its event) and never deleted.
    await s.event({ kind: 'ConfigMap', name: 'f1-ret' }, 'OrphanMarkersAdded', {
      messageIncludes: OrphanReasons.NodeDeleted,
    });
    expect((await get('f1-ret'))?.metadata.uid).toBe(retUid);
    await s.event({ kind: 'LynqNode', name, uid: before.metadata.uid }, 'LynqNodeDeleted');

    // The row is still active: a new node, which re-adopts the retained object and recreates the other.
    await s.waitFor(
      async (note) => {
        const n = await s.node(name);
        note(n?.metadata.uid);
        return n !== undefined && n.metadata.uid !== before.metadata.uid;
      },
      { what: `${name} recreated`, timeoutMs: 30_000 },
    );
    await s.nodeReady(name);
    const readopted = await s.waitFor(
      async (note) => {
        const o = await get('f1-ret');
        note(o?.metadata.labels);
        return o?.metadata.labels?.[Labels.Orphaned] === undefined &&
          o?.metadata.labels?.[Labels.Node] === name
          ? o
          : undefined;
      },
      { what: 'f1-ret re-adopted', timeoutMs: 30_000 },
    );
    expect(readopted.metadata.uid).toBe(retUid);
    await s.event({ kind: 'ConfigMap', name: 'f1-ret' }, 'OrphanMarkersRemoved');
    await s.object(Res.ConfigMap, 'f1-del');
  });

  it('deleting the LynqHub removes its nodes, cleaning up each by policy, and then the hub itself', async () => {
    const nodes = await s.kube.nodesOf(HUB, s.namespace);
    expect(nodes.map((n) => n.metadata.name)).toEqual(['f1-app', 'f2-app']);
    const retUids = {
      f1: (await get('f1-ret'))?.metadata.uid,
      f2: (await get('f2-ret'))?.metadata.uid,
    };
    await s.kube.delete(Res.Hub, HUB, s.namespace);
    await s.gone(Res.Hub, HUB, { timeoutMs: 60_000 });
    for (const uid of ['f1', 'f2'] as const) {
      await s.gone(Res.Node, nodeName(uid, FORM), { timeoutMs: 30_000 });
      await s.gone(Res.ConfigMap, `${uid}-del`, { timeoutMs: 30_000 });
      const ret = await orphaned(`${uid}-ret`, OrphanReasons.NodeDeleted);
      expect(ret.metadata.uid).toBe(retUids[uid]);
      expect(ret.metadata.ownerReferences ?? []).toEqual([]);
    }
    // The form stays (it has no finalizer) and says its hub is missing.
    await s.waitFor(
      async (note) => {
        const f = await s.form(FORM);
        const valid = f?.status?.conditions?.find((c) => c.type === 'Valid');
        note(valid);
        return valid?.status === 'False' && valid.message.includes(HUB);
      },
      { what: `form ${FORM} Valid=False naming the missing hub`, timeoutMs: 30_000 },
    );
    await s.event({ kind: 'LynqForm', name: FORM }, 'HubNotFound');
  });
});
