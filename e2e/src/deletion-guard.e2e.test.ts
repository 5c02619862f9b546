// The deletion guard (ours; reference "Safety principles" and docs/compatibility.md): an emptied
// table or a database that is down never deletes anything; the hub's conditions and events say
// why; the next good fetch resumes, and an approved large deletion goes through.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '@lynq/api';
import { mysqlUrl } from '@lynq/testkit';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  startTcpProxy,
  useScenario,
  type TcpProxy,
} from './harness/index.js';

const s = useScenario({ name: 'guard' });
const HUB = 'guarded';
const FORM = 'web';
const UIDS = ['g1', 'g2', 'g3', 'g4'];
let proxy: TcpProxy;
/** LynqNode name → its metadata.uid and its ConfigMap, for the nodes that must survive. */
const fleet = new Map<string, { uid: string; configMap: string }>();

const rows = (ids: readonly string[]) =>
  ids.map((id) => ({ id, active: '1', plan: 'x', region: 'y' }));

beforeAll(async () => {
  const db = new URL(mysqlUrl());
  // The hub reaches MariaDB through a relay the test can switch off: "the database is down".
  proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 3306) });
  s.onCleanup(() => proxy.close());
  await s.db.insert(s.table, rows(UIDS));
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s', host: '127.0.0.1', port: proxy.port }),
      // Hold any sync that would delete more than half of the nodes, from 2 nodes up.
      deletionGuard: { maxDeletePercent: 50, minDeletions: 1 },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { x: '1' })],
    }),
  );
});

/** Every node of the fleet still there, the same object, not being deleted, with its ConfigMap. */
async function fleetIntact(note: (o: unknown) => void): Promise<boolean> {
  const nodes = await s.kube.nodesOf(HUB, s.namespace);
  const seen = nodes.map(
    (n) => `${n.metadata.name}:${n.metadata.deletionTimestamp ? 'deleting' : 'ok'}`,
  );
  const cms = await s.kube.list(Res.ConfigMap, s.namespace);
  note({ nodes: seen, configMaps: cms.map((c) => c.metadata.name) });
  return (
    nodes.length === fleet.size &&
    nodes.every(
      (n) =>
        fleet.get(n.metadata.name ?? '')?.uid === n.metadata.uid &&
        n.metadata.deletionTimestamp === undefined,
    ) &&
    [...fleet.values()].every((f) => cms.some((c) => c.metadata.name === f.configMap))
  );
}

const events = (reason: string) =>
  s.kube.eventsWithReason(s.namespace, { kind: 'LynqHub', name: HUB }, reason);

describe('deletion guard', () => {
  it('builds the fleet', async () => {
    for (const uid of UIDS) {
      const node = await s.nodeReady(nodeName(uid, FORM));
      fleet.set(node.metadata.name ?? '', {
        uid: node.metadata.uid ?? '',
        configMap: `${uid}-cfg`,
      });
    }
    await s.waitFor(
      async (note) => {
        const h = await s.hub(HUB);
        note(h?.status);
        return h?.status?.desired === 4 && conditionOf(h, 'Ready')?.status === 'True';
      },
      { what: 'hub desired 4, Ready', timeoutMs: 30_000 },
    );
  });

  it('an emptied table deletes nothing: the hub is Degraded with DeletionGuardHeld and says so in an event', async () => {
    await s.db.exec(`DELETE FROM ${s.db.ident(s.table)}`);
    const h = await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status?.conditions);
        return conditionOf(x, 'Degraded')?.reason === 'DeletionGuardHeld' ? x : undefined;
      },
      { what: 'hub Degraded=True DeletionGuardHeld', timeoutMs: 30_000 },
    );
    expect(conditionOf(h, 'Degraded')?.status).toBe('True');
    expect(conditionOf(h, 'Degraded')?.message).toMatch(/4 of 4/);
    // The fetch itself worked.
    expect(conditionOf(h, 'Ready')).toMatchObject({ status: 'True', reason: 'DatabaseConnected' });
    const held = await s.event({ kind: 'LynqHub', name: HUB }, 'DeletionGuardHeld');
    expect(held[0]?.type).toBe('Warning');
    expect(held[0]?.message).toContain(Annotations.ApproveDeletions);
    // Several syncs (2 s each) later, still nothing deleted.
    await s.holdsFor(fleetIntact, {
      what: 'no LynqNode or object deleted while held',
      durationMs: 8_000,
    });
  });

  it('rows back: the hold clears and nothing was recreated', async () => {
    expect(
      conditionOf(await s.hub(HUB), 'Degraded')?.reason,
      'held before the rows come back',
    ).toBe('DeletionGuardHeld');
    await s.db.insert(s.table, rows(UIDS));
    await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status?.conditions);
        return x !== undefined && conditionOf(x, 'Degraded')?.reason !== 'DeletionGuardHeld';
      },
      { what: 'DeletionGuardHeld cleared', timeoutMs: 30_000 },
    );
    expect(await fleetIntact(() => undefined)).toBe(true);
  });

  it('the database down deletes nothing: Ready=False DatabaseConnectionFailed and DatabaseQueryFailed events', async () => {
    await proxy.refuse();
    try {
      const h = await s.waitFor(
        async (note) => {
          const x = await s.hub(HUB);
          note(x?.status?.conditions);
          return conditionOf(x, 'Ready')?.status === 'False' ? x : undefined;
        },
        { what: 'hub Ready=False', timeoutMs: 45_000 },
      );
      expect(conditionOf(h, 'Ready')?.reason).toBe('DatabaseConnectionFailed');
      // desired keeps its last value after a failed fetch (ours; Lynq resets it to 0).
      expect(h.status?.desired).toBe(4);
      const failed = await s.event({ kind: 'LynqHub', name: HUB }, 'DatabaseQueryFailed');
      expect(failed[0]?.type).toBe('Warning');
      await s.holdsFor(fleetIntact, {
        what: 'no LynqNode or object deleted while the database is down',
        durationMs: 8_000,
      });
    } finally {
      await proxy.pass();
    }
  });

  it('the next good fetch recovers: Ready again, and ordinary deletions resume', async () => {
    await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status?.conditions);
        return conditionOf(x, 'Ready')?.reason === 'DatabaseConnected';
      },
      { what: 'hub Ready=True DatabaseConnected again', timeoutMs: 60_000 },
    );
    expect(await fleetIntact(() => undefined)).toBe(true);
    // One of four (25 %) is within the guard.
    await s.db.exec(`DELETE FROM ${s.db.ident(s.table)} WHERE id = 'g4'`);
    await s.gone(Res.Node, nodeName('g4', FORM), { timeoutMs: 30_000 });
    await s.gone(Res.ConfigMap, 'g4-cfg', { timeoutMs: 30_000 });
    fleet.delete(nodeName('g4', FORM));
  });

  it('a held deletion goes through once approved for the hub’s generation', async () => {
    const heldBefore = (await events('DeletionGuardHeld')).reduce((n, e) => n + (e.count ?? 1), 0);
    await s.db.exec(`DELETE FROM ${s.db.ident(s.table)}`);
    await s.waitFor(
      async (note) => {
        const held = (await events('DeletionGuardHeld')).reduce((n, e) => n + (e.count ?? 1), 0);
        const x = await s.hub(HUB);
        note({ held, degraded: conditionOf(x, 'Degraded') });
        return held > heldBefore || conditionOf(x, 'Degraded')?.reason === 'DeletionGuardHeld';
      },
      { what: 'the guard holds the second emptying', timeoutMs: 30_000 },
    );
    expect(await fleetIntact(() => undefined)).toBe(true);
    const h = await s.kube.mustGet(Res.Hub, HUB, s.namespace);
    await s.kube.mergePatch(Res.Hub, HUB, s.namespace, {
      metadata: { annotations: { [Annotations.ApproveDeletions]: String(h.metadata.generation) } },
    });
    for (const uid of ['g1', 'g2', 'g3'])
      await s.gone(Res.Node, nodeName(uid, FORM), { timeoutMs: 30_000 });
  });
});
