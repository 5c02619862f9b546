// Two replicas with leader election (issue 17 "Faults"): the leader SIGKILLed (takeover time), and
// the leader frozen (SIGSTOP: a long GC pause, a partitioned node) past its lease and then thawed:
// the standby has taken over, and the old leader writes nothing once its lease has ended.
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@lynq/testkit';
import {
  Res,
  configMap,
  form,
  holdsFor,
  hub,
  isLeader,
  mysqlSource,
  nodeName,
  theLeader,
  useScenario,
  type OperatorProcess,
} from '../harness/index.js';
import { OPERATOR_BUILD, recordFigure } from './figures.js';
import { inventory, lossBetween } from './fleet.js';
import { describeWrites, minus, writesOf } from './operator-metrics.js';

const s = useScenario({ name: 'f-leader', operator: false });
const HUB = 'le';
const FORM = 'web';
const LEASE = uniqueName('faults-lease');
const LEASE_MS = 8_000;
const le = {
  ...OPERATOR_BUILD,
  leaderElection: { namespace: s.namespace, id: LEASE },
  args: ['--lease-duration=8s', '--renew-deadline=5s', '--retry-period=1s', '--render-processes=1'],
  logLevel: 'info' as const,
};
const ROWS = 20;
const uids = Array.from({ length: ROWS }, (_, i) => `l${String(i).padStart(2, '0')}`);

async function dataOf(uid: string): Promise<string | undefined> {
  const cm = await s.kube.get<{ data?: Record<string, string> }>(
    Res.ConfigMap,
    `${uid}-cfg`,
    s.namespace,
  );
  return cm?.data?.['plan'];
}

/** resourceVersion of every hub, form, node and ConfigMap in the namespace. */
async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const type of [Res.Hub, Res.Form, Res.Node, Res.ConfigMap])
    for (const o of await s.kube.list(type, s.namespace))
      out[`${type.kind}/${o.metadata.name}`] = o.metadata.resourceVersion ?? '';
  return out;
}

let ops: OperatorProcess[] = [];

beforeAll(async () => {
  ops = [
    await s.startOperator({ ...le, name: 'operator-a' }),
    await s.startOperator({ ...le, name: 'operator-b' }),
  ];
  await s.db.insert(
    s.table,
    uids.map((id) => ({ id, active: '1', plan: 'one', region: 'x' })),
  );
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s' }),
      extraValueMappings: { plan: 'plan' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { plan: '{{ .plan }}' })],
    }),
  );
  for (const uid of uids) await s.nodeReady(nodeName(uid, FORM), 90_000);
});

describe('leader faults with two replicas', () => {
  it('the leader SIGKILLed: the standby leads after about one lease, nothing lost', async () => {
    const leader = await theLeader(s, LEASE, ops, 30_000);
    const standby = ops.find((o) => o !== leader);
    if (standby === undefined) throw new Error('no standby');
    const before = await inventory(s.kube, s.namespace);
    await leader.kill();
    const killedAt = Date.now();
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'two' WHERE id = ?`, [uids[0] ?? '']);
    await theLeader(s, LEASE, [standby], LEASE_MS + 20_000);
    const takeoverMs = Date.now() - killedAt;
    await s.waitFor(async () => (await dataOf(uids[0] ?? '')) === 'two', {
      what: 'the new leader applied the change',
      timeoutMs: 30_000,
    });
    const workedMs = Date.now() - killedAt;
    const loss = lossBetween(before, await inventory(s.kube, s.namespace));
    recordFigure({
      id: 'leader-sigkill',
      group: 'operator',
      fault: 'the leader of two replicas SIGKILLed (lease 8 s, renew 5 s, retry 1 s)',
      faultMs: takeoverMs,
      load: `${ROWS} LynqNodes, a row changed right after the kill`,
      operator: `standby took the expired Lease after ${(takeoverMs / 1000).toFixed(1)} s and applied the change ${((workedMs - takeoverMs) / 1000).toFixed(1)} s later`,
      recoveryMs: workedMs,
      recoveryBound: '≤ lease duration + retry + 20 s',
      lost: { nodesLost: loss.nodesLost, objectsLost: loss.objectsLost, recreated: loss.recreated },
      figures: { takeoverMs },
    });
    expect(loss.names).toEqual([]);
    expect(takeoverMs).toBeLessThan(LEASE_MS + 20_000);
    ops = [standby, await s.startOperator({ ...le, name: 'operator-c' })];
  }, 120_000);

  it('the leader frozen past its lease and thawed: the standby leads, the old leader writes nothing', async () => {
    const leader = await theLeader(s, LEASE, ops, 30_000);
    const standby = ops.find((o) => o !== leader);
    if (standby === undefined) throw new Error('no standby');
    const before = await inventory(s.kube, s.namespace);
    const w0 = await writesOf(leader);
    process.kill(leader.pid, 'SIGSTOP');
    const frozenAt = Date.now();
    let thawed = false;
    try {
      // Work the frozen process will find queued or due when it wakes.
      await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'three' WHERE id = ?`, [
        uids[1] ?? '',
      ]);
      await theLeader(s, LEASE, [standby], LEASE_MS + 20_000);
      const takeoverMs = Date.now() - frozenAt;
      await s.waitFor(async () => (await dataOf(uids[1] ?? '')) === 'three', {
        what: 'the new leader applied the change',
        timeoutMs: 30_000,
      });
      // Settled under the new leader: nothing should change from here on.
      await s.waitFor(
        async () => {
          const a = JSON.stringify(await versions());
          await new Promise((r) => setTimeout(r, 3_000));
          return a === JSON.stringify(await versions());
        },
        { what: 'settled under the new leader', timeoutMs: 60_000, intervalMs: 0 },
      );
      const settled = await versions();
      // Thawed well after its lease ended (and past its renew deadline).
      let exitedAt: number | undefined;
      void leader.exited.then(() => {
        exitedAt = Date.now();
      });
      process.kill(leader.pid, 'SIGCONT');
      thawed = true;
      const thawedAt = Date.now();
      // The harness's holdsFor, not the scenario's: the old leader may exit now, on purpose.
      await holdsFor(
        async (note) => {
          const now = await versions();
          const changed = Object.keys({ ...settled, ...now }).filter((k) => settled[k] !== now[k]);
          note(changed);
          return changed.length === 0;
        },
        {
          what: 'no object written after the old leader woke',
          durationMs: 10_000,
          intervalMs: 1_000,
          failFast: () =>
            standby.exitStatus() !== undefined ? 'the new leader exited' : undefined,
        },
      );
      const exit = leader.exitStatus();
      const w =
        exit === undefined
          ? minus(await writesOf(leader), w0)
          : { POST: 0, PUT: 0, PATCH: 0, DELETE: 0, total: 0 };
      const loss = lossBetween(before, await inventory(s.kube, s.namespace));
      recordFigure({
        id: 'leader-frozen',
        group: 'operator',
        fault: `the leader SIGSTOPped for ${((thawedAt - frozenAt) / 1000).toFixed(0)} s (past its 8 s lease), then SIGCONT`,
        faultMs: thawedAt - frozenAt,
        load: `${ROWS} LynqNodes, a row changed while it was frozen`,
        operator: `standby took over after ${(takeoverMs / 1000).toFixed(1)} s; the thawed leader ${exit !== undefined && exitedAt !== undefined ? `saw its lease gone and exited (${exit.signal ?? `code ${exit.code}`}) ${exitedAt - thawedAt} ms after the thaw` : 'stayed up as a follower'}; no hub, form, node or ConfigMap changed in the 10 s after the thaw${exit === undefined ? `; its writes since the freeze: ${describeWrites(w)}` : ''}`,
        recoveryMs: takeoverMs,
        recoveryBound: 'no write by the old leader after its lease',
        lost: {
          nodesLost: loss.nodesLost,
          objectsLost: loss.objectsLost,
          recreated: loss.recreated,
        },
        figures: {
          takeoverMs,
          oldLeaderExitedAfterThawMs: exitedAt !== undefined ? exitedAt - thawedAt : 'did not exit',
          oldLeaderObjectWrites: exit === undefined ? w.PATCH + w.POST + w.DELETE : 'exited',
        },
      });
      expect(loss.names).toEqual([]);
      expect(w.PATCH + w.POST + w.DELETE, 'object writes by the old leader after its lease').toBe(
        0,
      );
      expect(await isLeader(standby, LEASE)).toBe(true);
    } finally {
      if (!thawed) process.kill(leader.pid, 'SIGCONT');
    }
  }, 180_000);
});
