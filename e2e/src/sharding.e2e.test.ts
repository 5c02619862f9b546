// Several replicas (issue 13): three operator processes with --shards=6 share 600 LynqNodes. The
// leader runs the hub and form controllers; every process runs the node controller for the shards
// it holds (one Lease per shard). Each node is reconciled by exactly one process, the shard sets
// are disjoint and cover every shard; a SIGKILLed process's shards move to the others within the
// lease duration (+ a retry period), their nodes keep being reconciled, and nothing is lost or
// written twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@lynq/testkit';
import { Informer, shardOf, silentLogger, type KubeObject } from '@lynq/runtime';
import {
  Res,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  useScenario,
  type OperatorProcess,
  type Scrape,
} from './harness/index.js';

const s = useScenario({ name: 'shard', operator: false });
const HUB = 'sh';
const FORM = 'web';
const LEASE = uniqueName('e2e-shards');
const SHARDS = 6;
const ROWS = 600;
// Shorter than the 15 s default to keep the file quick, long enough that three operators
// creating 600 nodes on a busy 2-core machine still renew within the deadline (a renewal that
// misses it gives the shard up, which is right, but would make this test's claims moot).
const LEASE_MS = 12_000;
const RETRY_MS = 2_000;
const flags = [
  '--lease-duration=12s',
  '--renew-deadline=9s',
  '--retry-period=2s',
  `--shards=${SHARDS}`,
  '--render-processes=1',
];

const uids = Array.from({ length: ROWS }, (_, i) => `r${String(i).padStart(3, '0')}`);
const ALL_SHARDS = Array.from({ length: SHARDS }, (_, i) => i);

let ops: OperatorProcess[] = [];
/** Shard transitions of each process once the shards had settled, before any node existed. */
const settled = new Map<OperatorProcess, View['transitions']>();

/** What a process says about itself through its metrics. */
interface View {
  op: OperatorProcess;
  owned: number[];
  transitions: Record<'acquired' | 'released' | 'lost', number>;
  leader: boolean;
  /** LynqNodes this process exports series for: the ones it reconciled (and still holds). */
  nodes: Set<string>;
  reconciles: Record<'lynqhub' | 'lynqform' | 'lynqnode', number>;
  /** ConfigMap applies this process attempted (no-op skips included). */
  configMapApplies: number;
}

function sum(m: Scrape, name: string, labels: Record<string, string> = {}): number {
  return m.find(name, labels).reduce((n, x) => n + x.value, 0);
}

async function view(op: OperatorProcess): Promise<View> {
  const m = await scrapeMetrics(op.metricsUrl);
  const owned = ALL_SHARDS.filter((i) => m.value('lynq_shard_owned', { shard: String(i) }) === 1);
  const transitions = {
    acquired: sum(m, 'lynq_shard_transitions_total', { direction: 'acquired' }),
    released: sum(m, 'lynq_shard_transitions_total', { direction: 'released' }),
    lost: sum(m, 'lynq_shard_transitions_total', { direction: 'lost' }),
  };
  const nodes = new Set(
    m
      .find('lynqnode_resources_desired', { namespace: s.namespace })
      .map((x) => x.labels.find(([k]) => k === 'lynqnode')?.[1] ?? ''),
  );
  const reconciles = {
    lynqhub: sum(m, 'controller_runtime_reconcile_total', { controller: 'lynqhub' }),
    lynqform: sum(m, 'controller_runtime_reconcile_total', { controller: 'lynqform' }),
    lynqnode: sum(m, 'controller_runtime_reconcile_total', { controller: 'lynqnode' }),
  };
  const leader = m.value('leader_election_master_status', { name: LEASE }) === 1;
  const configMapApplies = sum(m, 'apply_attempts_total', { kind: 'ConfigMap' });
  return { op, owned, transitions, leader, nodes, reconciles, configMapApplies };
}

/** The shards of `views` are disjoint, cover all of them, and nobody holds more than `most`. */
function partitioned(views: View[], most: number): boolean {
  const all = views.flatMap((v) => v.owned);
  return (
    all.length === SHARDS &&
    new Set(all).size === SHARDS &&
    views.every((v) => v.owned.length <= most)
  );
}

const keyOf = (node: string) => `${s.namespace}/${node}`;

/** Counts the changes of one kind in the namespace, from `record()` on. */
class ChangeLog {
  readonly added = new Map<string, number>();
  readonly updated = new Map<string, number>();
  readonly deleted = new Map<string, number>();
  /** Recorded updates that changed `data` (ConfigMaps), by name. */
  readonly dataChanges = new Map<string, number>();
  /** What each recorded update changed (for a failure message). */
  readonly changes: string[] = [];
  private recording = false;
  private readonly informer: Informer;

  constructor(type: typeof Res.ConfigMap) {
    this.informer = new Informer({
      client: s.kube.rest,
      type,
      namespace: s.namespace,
      logger: silentLogger,
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
    const bump = (m: Map<string, number>, o: KubeObject) => {
      if (!this.recording) return;
      const name = o.metadata.name ?? '';
      m.set(name, (m.get(name) ?? 0) + 1);
    };
    this.informer.addEventHandler({
      onAdd: (o) => bump(this.added, o),
      onUpdate: (a, b) => {
        if (a.metadata.resourceVersion === b.metadata.resourceVersion) return;
        bump(this.updated, b);
        if (JSON.stringify(a['data']) !== JSON.stringify(b['data'])) bump(this.dataChanges, b);
        if (this.recording)
          this.changes.push(`${b.metadata.name}: ${changedParts(a, b).join(', ')}`);
      },
      onDelete: (o) => bump(this.deleted, o),
    });
  }

  record(): void {
    this.recording = true;
  }

  summary(): Record<'added' | 'updated' | 'deleted', Record<string, number>> {
    return {
      added: Object.fromEntries(this.added),
      updated: Object.fromEntries(this.updated),
      deleted: Object.fromEntries(this.deleted),
    };
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

/** Which parts of an object differ between two versions (managedFields left out). */
function changedParts(a: KubeObject, b: KubeObject): string[] {
  const parts = (o: KubeObject): Record<string, unknown> => {
    const { metadata, ...rest } = o;
    const {
      resourceVersion: _rv,
      managedFields: _mf,
      ...meta
    } = metadata as Record<string, unknown>;
    return {
      ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [`metadata.${k}`, v])),
      ...rest,
    };
  };
  const pa = parts(a);
  const pb = parts(b);
  return [...new Set([...Object.keys(pa), ...Object.keys(pb)])]
    .filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
    .map((k) => `${k}: ${JSON.stringify(pa[k])} → ${JSON.stringify(pb[k])}`);
}

/** uid of every LynqNode and ConfigMap of the scenario, by kind/name. */
async function inventory(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of await s.kube.list(Res.Node, s.namespace))
    out.set(`node/${n.metadata.name}`, n.metadata.uid ?? '');
  for (const c of await s.kube.list(Res.ConfigMap, s.namespace))
    if (c.metadata.name !== 'kube-root-ca.crt')
      out.set(`cm/${c.metadata.name}`, c.metadata.uid ?? '');
  return out;
}

let configMaps: ChangeLog;
let lynqNodes: ChangeLog;

beforeAll(async () => {
  // Started together, before there is any node: the shards settle 2/2/2 first, so that each
  // node's shard has had one holder since the node was created.
  ops = await Promise.all(
    ['a', 'b', 'c'].map((id) =>
      s.startOperator({
        name: `operator-${id}`,
        leaderElection: { namespace: s.namespace, id: LEASE },
        logLevel: 'info',
        args: [...flags, `--replica-id=op-${id}`],
      }),
    ),
  );
  // Processes that start a few seconds apart may hand shards around first (the first one alone
  // takes all six, then gives four back); that settles before any node exists.
  const views = await s.waitFor(
    async (note) => {
      const vs = await Promise.all(ops.map(view));
      note(vs.map((v) => `${v.op.name}: ${v.owned.join(',')}`));
      return partitioned(vs, 2) ? vs : undefined;
    },
    { what: 'six shards split 2/2/2 over three processes', timeoutMs: 60_000 },
  );
  for (const v of views) settled.set(v.op, v.transitions);
  await s.db.insert(
    s.table,
    uids.map((id) => ({ id, active: '1', plan: 'one', region: 'x' })),
  );
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
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
  configMaps = new ChangeLog(Res.ConfigMap);
  lynqNodes = new ChangeLog(Res.Node);
  await configMaps.start();
  await lynqNodes.start();
}, 120_000);

afterAll(async () => {
  await configMaps?.stop();
  await lynqNodes?.stop();
});

describe('sharding over three processes', () => {
  it('600 nodes Ready; each reconciled by exactly one process, the one holding its shard', async () => {
    const started = Date.now();
    await s.waitFor(
      async (note) => {
        const nodes = await s.kube.list<{
          status?: { conditions?: { type: string; status: string }[] };
        }>(Res.Node, s.namespace);
        const ready = nodes.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        note({ nodes: nodes.length, ready });
        return nodes.length === ROWS && ready === ROWS;
      },
      { what: `${ROWS} LynqNodes Ready`, timeoutMs: 150_000, intervalMs: 1_000 },
    );
    console.info(`${ROWS} nodes Ready over 3 processes in ${Date.now() - started} ms`);

    const views = await s.waitFor(
      async (note) => {
        const vs = await Promise.all(ops.map(view));
        note(vs.map((v) => ({ op: v.op.name, owned: v.owned, nodes: v.nodes.size })));
        return vs.reduce((n, v) => n + v.nodes.size, 0) === ROWS ? vs : undefined;
      },
      { what: 'every node exported by some process', timeoutMs: 30_000 },
    );
    expect(partitioned(views, 2)).toBe(true);
    // No shard moved since the nodes exist: each node's shard has had one holder all along.
    for (const v of views) expect(v.transitions, v.op.name).toEqual(settled.get(v.op));
    for (const v of views) expect(v.transitions.lost, v.op.name).toBe(0);
    // One leader runs the hub and form controllers; the others reconciled neither.
    const leaders = views.filter((v) => v.leader);
    expect(leaders).toHaveLength(1);
    for (const v of views.filter((x) => !x.leader)) {
      expect(v.reconciles.lynqhub, v.op.name).toBe(0);
      expect(v.reconciles.lynqform, v.op.name).toBe(0);
    }
    // The node sets are disjoint, cover every node, and follow the shards.
    const owner = new Map<string, string>();
    for (const v of views) {
      expect(v.reconciles.lynqnode, v.op.name).toBeGreaterThan(0);
      for (const node of v.nodes) {
        expect(owner.get(node), `${node} exported by two processes`).toBeUndefined();
        owner.set(node, v.op.name);
        expect(
          v.owned,
          `${node} (shard ${shardOf(keyOf(node), SHARDS)}) on ${v.op.name}`,
        ).toContain(shardOf(keyOf(node), SHARDS));
      }
    }
    expect([...owner.keys()].sort()).toEqual(uids.map((u) => nodeName(u, FORM)).sort());

    // Idle: once settled, the only writes are Lease renewals (PUT) — no POST, PATCH or DELETE.
    const writes = async () =>
      Promise.all(
        ops.map(async (op) => {
          const m = await scrapeMetrics(op.metricsUrl);
          const by = (method: string) => sum(m, 'lynq_rest_client_requests_total', { method });
          return { put: by('PUT'), other: by('POST') + by('PATCH') + by('DELETE') };
        }),
      );
    await s.waitFor(
      async (note) => {
        const a = await writes();
        await new Promise((r) => setTimeout(r, 5_000));
        const b = await writes();
        const delta = b.map((x, i) => ({
          op: ops[i]?.name,
          put: x.put - (a[i]?.put ?? 0),
          other: x.other - (a[i]?.other ?? 0),
        }));
        note(delta);
        return delta.every((d) => d.other === 0 && d.put > 0);
      },
      { what: 'five seconds with no write but Lease renewals', timeoutMs: 60_000, intervalMs: 0 },
    );
  }, 200_000);

  it('a SIGKILLed process: its shards move within the lease duration, their nodes are still reconciled, nothing is lost or written twice', async () => {
    const before = await Promise.all(ops.map(view));
    const victim = before.find((v) => !v.leader);
    if (victim === undefined) throw new Error('no process besides the leader');
    const survivors = ops.filter((op) => op !== victim.op);
    const moved = victim.owned;
    const inventoryBefore = await inventory();
    expect(inventoryBefore.size).toBe(2 * ROWS);
    const transitionsBefore = new Map(before.map((v) => [v.op, v.transitions]));

    configMaps.record();
    lynqNodes.record();
    await victim.op.kill();
    const killedAt = Date.now();
    const after = await s.waitFor(
      async (note) => {
        const vs = await Promise.all(survivors.map(view));
        note(vs.map((v) => `${v.op.name}: ${v.owned.join(',')}`));
        return partitioned(vs, Math.ceil(SHARDS / 2)) ? vs : undefined;
      },
      {
        what: `shards ${moved.join(',')} taken over`,
        timeoutMs: LEASE_MS + 10_000,
        intervalMs: 100,
      },
    );
    const takeoverMs = Date.now() - killedAt;
    console.info(
      `shards ${moved.join(',')} of the SIGKILLed ${victim.op.name} taken over after ${takeoverMs} ms (lease ${LEASE_MS} ms, retry ${RETRY_MS} ms)`,
    );
    // Expired leases only: not before their holder could have stopped renewing (minus the time
    // since its last renewal), and within one lease duration plus a retry period (+ polling and
    // the scheduling delays of a machine running the rest of the suite beside it).
    expect(takeoverMs).toBeGreaterThan(LEASE_MS - RETRY_MS - 500);
    expect(takeoverMs).toBeLessThan(LEASE_MS + RETRY_MS + 3_000);
    for (const v of after) {
      const was = transitionsBefore.get(v.op);
      expect(v.transitions.released, v.op.name).toBe(was?.released);
      expect(v.transitions.lost, v.op.name).toBe(was?.lost);
    }
    const acquired = after.reduce(
      (n, v) => n + v.transitions.acquired - (transitionsBefore.get(v.op)?.acquired ?? 0),
      0,
    );
    expect(acquired, 'shards the survivors took').toBe(moved.length);

    // The new holders reconciled every node of the moved shards.
    await s.waitFor(
      async (note) => {
        const vs = await Promise.all(survivors.map(view));
        const total = vs.reduce((n, v) => n + v.nodes.size, 0);
        note({ exported: total });
        return total === ROWS;
      },
      { what: 'the survivors reconciled every node', timeoutMs: 60_000 },
    );

    // A change to a row of a moved shard reaches its ConfigMap, written by the new holder alone.
    const uid = uids.find((u) => moved.includes(shardOf(keyOf(nodeName(u, FORM)), SHARDS)));
    if (uid === undefined) throw new Error('no row in the moved shards');
    const shard = shardOf(keyOf(nodeName(uid, FORM)), SHARDS);
    const beforeChange = await Promise.all(survivors.map(view));
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'two' WHERE id = ?`, [uid]);
    const changedAt = Date.now();
    await s.waitFor(
      async (note) => {
        const cm = await s.kube.get<{ data?: Record<string, string> }>(
          Res.ConfigMap,
          `${uid}-cfg`,
          s.namespace,
        );
        note(cm?.data);
        return cm?.data?.['plan'] === 'two';
      },
      { what: `${uid}-cfg updated by the new holder of shard ${shard}`, timeoutMs: 30_000 },
    );
    console.info(
      `row change in moved shard ${shard} reached its ConfigMap in ${Date.now() - changedAt} ms`,
    );
    await s.nodeReady(nodeName(uid, FORM), 30_000);
    // Settle: the node's status write and any straggler would show within a few seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    const afterChange = await Promise.all(survivors.map(view));
    const holder = afterChange.findIndex((v) => v.owned.includes(shard));
    expect(holder, `a survivor holds shard ${shard}`).toBeGreaterThanOrEqual(0);
    for (const [i, v] of afterChange.entries()) {
      const applied = v.configMapApplies - (beforeChange[i]?.configMapApplies ?? 0);
      const reconciled = v.reconciles.lynqnode - (beforeChange[i]?.reconciles.lynqnode ?? 0);
      if (i === holder) {
        expect(applied, `${v.op.name} (holder) applied the ConfigMap`).toBeGreaterThan(0);
      } else {
        // The other process wrote nothing for this change: no apply, not even a reconcile.
        expect(applied, `${v.op.name} (not the holder) applied ConfigMaps`).toBe(0);
        expect(reconciled, `${v.op.name} (not the holder) reconciled nodes`).toBe(0);
      }
    }

    // Nothing lost or recreated: every node and ConfigMap is the same object as before.
    const inventoryAfter = await inventory();
    expect(inventoryAfter.size).toBe(2 * ROWS);
    for (const [key, objectUid] of inventoryBefore)
      expect(inventoryAfter.get(key), key).toBe(objectUid);
    // No other ConfigMap changed (the takeover re-reconciled 200 nodes without writing), nothing
    // was added or deleted, and the changed one got its new data in exactly one write.
    const cms = configMaps.summary();
    const changes = configMaps.changes.join('\n');
    expect(cms.added, changes).toEqual({});
    expect(cms.deleted, changes).toEqual({});
    expect(cms.updated, changes).toEqual({ [`${uid}-cfg`]: 1 });
    expect(Object.fromEntries(configMaps.dataChanges), changes).toEqual({ [`${uid}-cfg`]: 1 });
    console.info(`writes of ${uid}-cfg for the change:\n${changes}`);
    const nodeChanges = lynqNodes.summary();
    expect(nodeChanges.added).toEqual({});
    expect(nodeChanges.deleted).toEqual({});
    expect(Object.keys(nodeChanges.updated), lynqNodes.changes.join('\n')).toEqual([
      nodeName(uid, FORM),
    ]);

    // The changed node's series is exported by exactly one survivor, the holder of its shard.
    const final = await Promise.all(survivors.map(view));
    const exporters = final.filter((v) => v.nodes.has(nodeName(uid, FORM)));
    expect(exporters).toHaveLength(1);
    expect(exporters[0]?.owned).toContain(shardOf(keyOf(nodeName(uid, FORM)), SHARDS));
  }, 150_000);
});
