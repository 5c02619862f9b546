// What every phase shares: the client, the options, progress output, cleanup, and snapshots of
// the counters a phase is measured by.
import type { RestClient } from '@lynq/runtime';
import { clusterStatus } from '@lynq/testkit';
import { Res, list, type Condition } from './kube.js';
import {
  apiServerRequests,
  byVerb,
  delta,
  flatten,
  operatorCounters,
  operatorDelta,
  writes,
  type OperatorCounters,
  type RequestCounts,
  type WriteSummary,
} from './metrics.js';
import type { BenchOptions } from './options.js';
import { cpuSeconds, treeCpuSeconds } from './procfs.js';

const began = Date.now();

/** Progress on stderr, stamped with the time since the bench started. */
export function log(text: string): void {
  process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
}

export interface Bench {
  readonly options: BenchOptions;
  readonly rest: RestClient;
  readonly kubeconfig: string;
  /** The local control plane's processes by component (empty for an external cluster). */
  readonly planePids: Readonly<Record<string, number>>;
  readonly cleanup: Cleanup;
}

/** The local control plane's component PIDs, to read their CPU time. */
export async function controlPlanePids(): Promise<Record<string, number>> {
  if ((process.env['LYNQ_TEST_KUBECONFIG'] ?? '') !== '') return {};
  const status = await clusterStatus();
  const out: Record<string, number> = {};
  for (const c of status.components) if (c.running && c.pid !== undefined) out[c.component] = c.pid;
  return out;
}

/** Steps run in reverse order of registration, each once, errors reported and not rethrown. */
export class Cleanup {
  private steps: { what: string; keepable: boolean; fn: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  /** `keepable`: skipped under --keep (it removes something worth inspecting). */
  add(what: string, fn: () => Promise<unknown>, keepable = false): void {
    this.steps.push({ what, keepable, fn });
  }

  run(keep: boolean): Promise<void> {
    this.running ??= (async () => {
      const steps = this.steps.reverse();
      this.steps = [];
      for (const step of steps) {
        if (keep && step.keepable) {
          log(`--keep: left ${step.what}`);
          continue;
        }
        try {
          await step.fn();
        } catch (err) {
          log(
            `cleanup of ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    })();
    return this.running;
  }
}

export interface Snapshot {
  at: number;
  api: RequestCounts;
  plane: Record<string, number>;
  operatorCpu?: number;
  operator?: OperatorCounters;
}

export async function snapshot(
  b: Bench,
  operator?: { pid: number; metricsUrl: string },
): Promise<Snapshot> {
  const [api, counters] = await Promise.all([
    apiServerRequests(b.rest),
    operator !== undefined ? operatorCounters(operator.metricsUrl) : undefined,
  ]);
  const plane: Record<string, number> = {};
  for (const [component, pid] of Object.entries(b.planePids)) plane[component] = cpuSeconds(pid);
  return {
    at: Date.now(),
    api,
    plane,
    ...(operator !== undefined ? { operatorCpu: treeCpuSeconds(operator.pid) } : {}),
    ...(counters !== undefined ? { operator: counters } : {}),
  };
}

/** What happened between two snapshots. */
export interface Window {
  seconds: number;
  /** API server requests of every client, "VERB resource" → count. */
  apiRequests: Record<string, number>;
  apiByVerb: Record<string, number>;
  /** Writes without leases and events. */
  apiWrites: WriteSummary;
  /** CPU seconds of each control plane process. */
  controlPlaneCpuSeconds: Record<string, number>;
  /** The operator and its render processes. */
  operatorCpuSeconds?: number;
  operator?: OperatorCounters;
}

export function windowOf(before: Snapshot, after: Snapshot): Window {
  const api = delta(after.api, before.api);
  const plane: Record<string, number> = {};
  for (const [c, v] of Object.entries(after.plane)) plane[c] = round(v - (before.plane[c] ?? 0), 2);
  return {
    seconds: round((after.at - before.at) / 1000, 2),
    apiRequests: flatten(api),
    apiByVerb: byVerb(api),
    apiWrites: writes(api),
    controlPlaneCpuSeconds: plane,
    ...(after.operatorCpu !== undefined && before.operatorCpu !== undefined
      ? { operatorCpuSeconds: round(after.operatorCpu - before.operatorCpu, 2) }
      : {}),
    ...(after.operator !== undefined && before.operator !== undefined
      ? { operator: operatorDelta(after.operator, before.operator) }
      : {}),
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A pods quantity as a number: integers and the decimal suffixes k, M, G (the API server keeps
 * 4000 as "4k"); 0 for anything else, so an unreadable node holds no room.
 */
export function podsQuantity(value: string | undefined): number {
  const match = /^(\d+)([kMG]?)$/.exec(value ?? '');
  if (match === null) return 0;
  return Number(match[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 0);
}

export class CapacityError extends Error {
  override readonly name = 'CapacityError';
}

/**
 * Fails early when the cluster's schedulable nodes cannot take `needed` more pods (Deployments
 * would stay unavailable until the phase timeout).
 */
export async function checkPodRoom(b: Bench, needed: number): Promise<void> {
  const nodes = await list(b.rest, Res.KubeNode);
  let allocatable = 0;
  let schedulable = 0;
  for (const node of nodes) {
    const spec = node['spec'] as { unschedulable?: boolean; taints?: { effect: string }[] };
    const status = node['status'] as {
      allocatable?: Record<string, string>;
      conditions?: Condition[];
    };
    const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const blocked =
      spec.unschedulable === true || (spec.taints ?? []).some((t) => t.effect === 'NoSchedule');
    if (ready !== true || blocked) continue;
    schedulable++;
    allocatable += podsQuantity(status.allocatable?.['pods']);
  }
  const pods = await list(b.rest, Res.Pod, undefined, {
    fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
  });
  const room = allocatable - pods.length;
  if (room < needed)
    throw new CapacityError(
      `the cluster cannot hold this run's pods: ${schedulable} schedulable nodes allocate ${allocatable} pods, ${pods.length} are in use, so ${Math.max(room, 0)} more fit and this run needs ${needed}. ` +
        `The local control plane's fake nodes hold 4,000 pods each since testkit raised them: run \`npm run cluster -- up --profile full\` (it raises existing nodes), ` +
        `or give the bench a cluster of its own with LYNQ_CLUSTER_DIR=/tmp/bench-cluster.`,
    );
}
