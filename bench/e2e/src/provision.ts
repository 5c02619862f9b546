// The operator phase: N rows in MariaDB, the form and the hub applied, the clock running from
// the hub until every LynqNode is Ready; then the steady state with nothing to do.
import { setTimeout as delay } from 'node:timers/promises';
import type { LynqHubInput } from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';
import { mysqlUrl, pgUrl } from '@lynq/testkit';
import { log, round, snapshot, windowOf, type Bench, type Window } from './bench.js';
import { PhaseTimeoutError, Res, Tracker, condition, create } from './kube.js';
import type { OperatorProcess } from './operator.js';
import type { MemorySampler } from './procfs.js';
import type { RowTable } from './tables.js';
import { formObject, hubObject, type Row } from './workload.js';

type Source = LynqHubInput['spec']['source'];

function db(url: string, defaultPort: number) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? defaultPort : Number(u.port),
    username: decodeURIComponent(u.username),
    database: u.pathname.replace(/^\//, ''),
  };
}

export function mysqlSource(table: string, syncInterval: string): Source {
  return { type: 'mysql', syncInterval, mysql: { ...db(mysqlUrl(), 3306), table } };
}

export function postgresSource(schema: string, table: string, syncInterval: string): Source {
  return { type: 'postgresql', syncInterval, postgresql: { ...db(pgUrl(), 5432), schema, table } };
}

const nodeReady = (node: KubeObject) => condition(node, 'Ready')?.status === 'True';

/** Why nodes are not Ready yet: counts by Ready reason, and a few examples. */
function notReadyReport(nodes: readonly KubeObject[]): string {
  const reasons = new Map<string, number>();
  for (const n of nodes) {
    const reason = condition(n, 'Ready')?.reason ?? 'no Ready condition';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const examples = nodes.slice(0, 5).map((n) => {
    const c = condition(n, 'Ready');
    return `  ${n.metadata.name ?? ''}: ${c === undefined ? 'no Ready condition' : `${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`}`;
  });
  return `${[...reasons].map(([r, c]) => `${c} ${r}`).join(', ')}\n${examples.join('\n')}`;
}

export interface HubSetup {
  hub: string;
  form: string;
  rows: readonly Row[];
  source: Source;
  table: RowTable;
}

export interface ProvisionResult {
  rows: number;
  objects: number;
  /** From the hub's POST until every LynqNode is Ready. */
  seconds: number;
  objectsPerSecond: number;
  rowsPerSecond: number;
  /** When the hub had created every LynqNode. */
  nodesCreatedSeconds: number | undefined;
  firstReadySeconds: number | undefined;
  /** Nodes Ready at 25/50/75/100 % of the rows. */
  readyQuartilesSeconds: number[];
  window: Window;
}

/**
 * Inserts the rows, applies the form and then the hub, and waits until each of the hub's nodes is
 * Ready. `tracker` is left running for the caller (it holds the nodes).
 */
export async function provision(
  b: Bench,
  op: OperatorProcess,
  namespace: string,
  setup: HubSetup,
  label: string,
): Promise<ProvisionResult> {
  const { resources, phaseTimeoutMs } = b.options;
  const n = setup.rows.length;
  await setup.table.insert(setup.rows);
  const nodes = new Tracker(b.rest, Res.Node, namespace, nodeReady, `lynq.sh/hub=${setup.hub}`);
  await nodes.start();
  let t0 = 0;
  let createdAt: number | undefined;
  nodes.onChange = () => {
    if (createdAt === undefined && nodes.total >= n) createdAt = Date.now();
  };
  const failFast = () => {
    const s = op.exitStatus();
    return s === undefined
      ? undefined
      : `the operator exited (${s.signal ?? `code ${s.code}`}); log ${op.logFile}:\n${op.logTail()}`;
  };
  try {
    await create(
      b.rest,
      formObject({ name: setup.form, namespace, hubId: setup.hub, resources }) as KubeObject,
    );
    const before = await snapshot(b, op);
    t0 = Date.now();
    await create(
      b.rest,
      hubObject({ name: setup.hub, namespace, source: setup.source }) as KubeObject,
    );
    log(`${label}: hub ${setup.hub} applied, waiting for ${n} LynqNodes Ready`);
    try {
      await nodes.waitFor(n, phaseTimeoutMs, {
        failFast,
        progress: () =>
          log(
            `${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${nodes.total}/${n} LynqNodes, ${nodes.doneCount} Ready`,
          ),
      });
    } catch (err) {
      if (!(err instanceof PhaseTimeoutError)) throw err;
      const pending = nodes.pending();
      throw new Error(
        `${label}: ${n - nodes.doneCount} of ${n} LynqNodes not Ready after ${Math.round(phaseTimeoutMs / 1000)} s (${nodes.total} exist); not Ready: ${notReadyReport(pending)}\noperator log: ${op.logFile}`,
      );
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = await snapshot(b, op);
    const readyTimes = [...nodes.doneAt.values()].map((t) => (t - t0) / 1000).sort((a, c) => a - c);
    const at = (q: number) =>
      round(readyTimes[Math.max(0, Math.ceil(q * readyTimes.length) - 1)] ?? 0);
    log(`${label}: all ${n} LynqNodes Ready after ${seconds.toFixed(1)} s`);
    return {
      rows: n,
      objects: n * resources,
      seconds: round(seconds, 2),
      objectsPerSecond: round((n * resources) / seconds),
      rowsPerSecond: round(n / seconds),
      nodesCreatedSeconds: createdAt !== undefined ? round((createdAt - t0) / 1000) : undefined,
      firstReadySeconds: readyTimes.length > 0 ? round(readyTimes[0] ?? 0) : undefined,
      readyQuartilesSeconds: [at(0.25), at(0.5), at(0.75), at(1)],
      window: windowOf(before, after),
    };
  } finally {
    await nodes.stop();
  }
}

export interface SteadyResult {
  settleSeconds: number;
  window: Window;
  /** Operator CPU over the window as a percentage of one core. */
  cpuPercentOfOneCore: number | undefined;
}

/** Waits `settleSeconds`, then measures `idleSeconds` in which nothing should happen. */
export async function steadyState(
  b: Bench,
  op: OperatorProcess,
  memory: MemorySampler,
  settleSeconds = 10,
): Promise<SteadyResult> {
  log(`steady state: settling ${settleSeconds} s, then measuring ${b.options.idleSeconds} s`);
  await delay(settleSeconds * 1000);
  const before = await snapshot(b, op);
  await delay(b.options.idleSeconds * 1000);
  memory.sample();
  const after = await snapshot(b, op);
  const window = windowOf(before, after);
  if (op.exitStatus() !== undefined)
    throw new Error(`the operator exited during the steady state; log ${op.logFile}`);
  return {
    settleSeconds,
    window,
    cpuPercentOfOneCore:
      window.operatorCpuSeconds !== undefined && window.seconds > 0
        ? round((100 * window.operatorCpuSeconds) / window.seconds, 2)
        : undefined,
  };
}
