// The raw limit: the operator's objects written as bare Server-Side Apply PATCHes through the
// project's RestClient, `concurrency` in flight, no operator and no dependency order; the clock
// stops when every Deployment is Available.
import { mapWithConcurrency } from '@lynq/apply';
import type { KubeObject } from '@lynq/runtime';
import { uniqueName } from '@lynq/testkit';
import { log, round, snapshot, windowOf, type Bench, type Window } from './bench.js';
import {
  PhaseTimeoutError,
  Res,
  Tracker,
  apply,
  connect,
  createNamespace,
  deleteNamespace,
} from './kube.js';
import { hasDeployment, rawObjects, type Row } from './workload.js';

export interface RawResult {
  namespace: string;
  objects: number;
  /** Until every Deployment is Available (or every write answered, without Deployments). */
  seconds: number;
  /** Until every PATCH was answered. */
  writeSeconds: number;
  objectsPerSecond: number;
  rowsPerSecond: number;
  /** Deleting the namespace until it is gone (not part of `seconds`). */
  deletionSeconds: number;
  /** How long one PATCH took, by kind (with `concurrency` in flight). */
  patchMsByKind: Record<string, { count: number; meanMs: number; p95Ms: number; maxMs: number }>;
  window: Window;
}

function latencyByKind(samples: Map<string, number[]>): RawResult['patchMsByKind'] {
  const out: RawResult['patchMsByKind'] = {};
  for (const [kind, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    out[kind] = {
      count: sorted.length,
      meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
      p95Ms: round(sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? 0),
      maxMs: round(sorted[sorted.length - 1] ?? 0),
    };
  }
  return out;
}

export function available(d: KubeObject): boolean {
  const spec = d['spec'] as { replicas?: number } | undefined;
  const status = d['status'] as
    { availableReplicas?: number; conditions?: { type: string; status: string }[] } | undefined;
  return (
    (status?.availableReplicas ?? 0) >= (spec?.replicas ?? 1) &&
    status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') === true
  );
}

export async function rawPhase(b: Bench, rows: readonly Row[]): Promise<RawResult> {
  const { resources, concurrency, phaseTimeoutMs } = b.options;
  const namespace = uniqueName('bench-raw');
  await createNamespace(b.rest, namespace);
  let deleted = false;
  b.cleanup.add(
    `namespace ${namespace}`,
    async () => {
      if (!deleted) await deleteNamespace(b.rest, namespace, { timeoutMs: phaseTimeoutMs });
    },
    true,
  );
  const objects = rows.flatMap((row) => rawObjects(row, namespace, resources));
  const deployments = hasDeployment(resources)
    ? new Tracker(b.rest, Res.Deployment, namespace, available)
    : undefined;
  await deployments?.start();
  const writer = await connect(b.kubeconfig, concurrency);
  try {
    log(`raw: ${objects.length} objects into ${namespace}, ${concurrency} PATCHes in flight`);
    const before = await snapshot(b);
    const t0 = Date.now();
    const patchMs = new Map<string, number[]>();
    await mapWithConcurrency(objects, concurrency, async (obj) => {
      const started = performance.now();
      await apply(writer, obj, 'lynq-bench-raw');
      const kind = obj.kind ?? '';
      const list = patchMs.get(kind) ?? [];
      list.push(performance.now() - started);
      patchMs.set(kind, list);
    });
    const writeSeconds = (Date.now() - t0) / 1000;
    log(`raw: every PATCH answered after ${writeSeconds.toFixed(1)} s`);
    if (deployments !== undefined) {
      try {
        await deployments.waitFor(rows.length, phaseTimeoutMs, {
          progress: () => log(`raw: ${deployments.doneCount}/${rows.length} Deployments Available`),
        });
      } catch (err) {
        if (!(err instanceof PhaseTimeoutError)) throw err;
        const pending = deployments.pending();
        throw new Error(
          `raw phase: ${pending.length} of ${rows.length} Deployments not Available after ${Math.round(phaseTimeoutMs / 1000)} s, e.g. ${pending
            .slice(0, 5)
            .map((d) => `${d.metadata.name ?? ''} ${JSON.stringify(d['status'] ?? {})}`)
            .join('; ')}`,
        );
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = await snapshot(b);
    log(`raw: all ${rows.length} Deployments Available after ${seconds.toFixed(1)} s`);
    await deployments?.stop();
    log(`raw: deleting ${namespace}`);
    const deletionSeconds = await deleteNamespace(b.rest, namespace, {
      timeoutMs: phaseTimeoutMs,
      progress: log,
    });
    deleted = true;
    log(`raw: ${namespace} gone after ${deletionSeconds.toFixed(1)} s`);
    return {
      namespace,
      objects: objects.length,
      seconds: round(seconds, 2),
      writeSeconds: round(writeSeconds, 2),
      objectsPerSecond: round(objects.length / seconds),
      rowsPerSecond: round(rows.length / seconds),
      deletionSeconds: round(deletionSeconds),
      patchMsByKind: latencyByKind(patchMs),
      window: windowOf(before, after),
    };
  } finally {
    writer.close();
    await deployments?.stop();
  }
}
