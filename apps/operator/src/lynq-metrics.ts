// Lynq's own Prometheus metrics (internal/metrics/metrics.go): the same names, label names, label
// order and buckets, so that Lynq's alerts and Grafana dashboard work unchanged; and ours, named
// lynq_*, for what Lynq does not export (datasource health, deletion-guard holds). The runtime
// provides controller_runtime_* and workqueue_*. Unlike Lynq, nothing outlives its object: a
// deleted node, hub or form takes every series it had with it.
import { Metrics as M, NodeReasons, type RolloutPhase } from '@lynq/api';
import { ROLLOUT_PHASE_VALUES } from '@lynq/policy';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type NodeReconcileResult = 'success' | 'partial_failure' | 'error' | 'status_only';

export type NodeResourceCounts = Readonly<
  Record<'ready' | 'desired' | 'failed' | 'conflicted', number>
>;
export type HubNodeCounts = Readonly<Record<'desired' | 'ready' | 'failed', number>>;

/** What one hub sync saw besides its node counts (ours; Lynq exports none of these). */
export interface HubSyncValues {
  /** Whether the hub's last read of its datasource succeeded. */
  readonly datasourceUp: boolean;
  /** When a read succeeded in this sync (ms since the epoch); undefined keeps the last one. */
  readonly succeededAtMs?: number | undefined;
  /** The hub's syncInterval in ms. */
  readonly syncIntervalMs: number;
  /** LynqNode deletions the deletion guard held back. */
  readonly deletionsHeld: number;
  /** Rows whose hub-level templates failed. */
  readonly renderErrors: number;
}
/** A status condition; `status` True, False or Unknown. */
export type ConditionLike = Readonly<{ type: string; status: string }>;

export interface FormRolloutValues {
  readonly updating: number;
  readonly phase: RolloutPhase;
  readonly progress: number;
}

const RECONCILE_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60];
const CONDITION_VALUES: Readonly<Record<string, number>> = { False: 0, True: 1, Unknown: 2 };
// The reasons Lynq resets to 0 when a node is healthy (internal/status/manager.go).
const DEGRADED_REASONS: readonly string[] = [
  NodeReasons.ResourceFailures,
  NodeReasons.ResourceConflicts,
  NodeReasons.ResourceFailuresAndConflicts,
  NodeReasons.ResourcesNotReady,
  NodeReasons.TemplateRenderError,
  NodeReasons.DependencyCycle,
  NodeReasons.VariablesBuildError,
];

/** The label values one node has exported, so that a deleted node leaves no series behind. */
interface NodeSeries {
  types: Set<string>;
  readonly reasons: Set<string>;
  readonly conflicts: Map<string, { resource_kind: string; conflict_policy: string }>;
}

// Label names in Lynq's order.
const NODE = ['lynqnode', 'namespace'] as const;
const CONDITION = [...NODE, 'type'] as const;
const CONFLICT = [...NODE, 'resource_kind', 'conflict_policy'] as const;
const DEGRADED = [...NODE, 'reason'] as const;
const APPLY = ['kind', 'result', 'conflict_policy'] as const;
const HUB = ['hub', 'namespace'] as const;
const FORM = ['form', 'namespace'] as const;
const keys = <T extends object>(o: T) => Object.keys(o) as (keyof T & string)[];

function register(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name, help, labelNames, registers });
  return {
    reconcileDuration: new Histogram({
      name: M.NodeReconcileDuration,
      help: 'Duration of LynqNode reconciliations in seconds',
      labelNames: ['result'],
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    resources: {
      ready: gauge(M.NodeResourcesReady, 'Ready resources of a LynqNode', NODE),
      desired: gauge(M.NodeResourcesDesired, 'Desired resources of a LynqNode', NODE),
      failed: gauge(M.NodeResourcesFailed, 'Failed resources of a LynqNode', NODE),
      conflicted: gauge(M.NodeResourcesConflicted, 'Conflicted resources of a LynqNode', NODE),
    },
    condition: gauge(M.NodeConditionStatus, '0 False, 1 True, 2 Unknown', CONDITION),
    conflicts: counter(M.NodeConflictsTotal, 'Resource conflicts of a LynqNode', CONFLICT),
    degraded: gauge(M.NodeDegradedStatus, '1 while the LynqNode is degraded for reason', DEGRADED),
    hub: {
      desired: gauge(M.HubDesired, 'LynqNodes a LynqHub should have', HUB),
      ready: gauge(M.HubReady, 'Ready LynqNodes of a LynqHub', HUB),
      failed: gauge(M.HubFailed, 'Failed LynqNodes of a LynqHub', HUB),
    },
    hubSync: {
      datasourceUp: gauge(
        M.HubDatasourceUp,
        '1 while the last datasource read of a LynqHub succeeded, 0 while it fails',
        HUB,
      ),
      lastSuccess: gauge(
        M.HubLastSuccessfulSync,
        'When a LynqHub last read its rows successfully, in seconds since the epoch',
        HUB,
      ),
      syncInterval: gauge(M.HubSyncInterval, 'The syncInterval of a LynqHub in seconds', HUB),
      deletionsHeld: gauge(
        M.HubDeletionsHeld,
        'LynqNode deletions the deletion guard held back in the last sync of a LynqHub',
        HUB,
      ),
      renderErrors: gauge(
        M.HubRenderErrors,
        'Rows whose hub-level templates failed in the last sync of a LynqHub',
        HUB,
      ),
    },
    applyAttempts: counter(M.ApplyAttemptsTotal, 'Attempts to apply a resource', APPLY),
    rollout: {
      updating: gauge(M.FormRolloutUpdatingNodes, 'LynqNodes of a LynqForm being updated', FORM),
      phase: gauge(M.FormRolloutPhase, 'Rollout: 0 Idle, 1 InProgress, 2 Failed, 3 Complete', FORM),
      progress: gauge(M.FormRolloutProgress, 'Rollout progress in percent', FORM),
    },
  };
}

/**
 * Lynq's metrics on one registry; `LynqMetrics.for(registry)` returns the same instance for the
 * same registry. Label objects are built in Lynq's label order because prom-client prints them
 * in the order given, and Lynq's alerts, dashboards and tests match the text.
 */
export class LynqMetrics {
  private static readonly byRegistry = new WeakMap<Registry, LynqMetrics>();

  static for(registry: Registry): LynqMetrics {
    let metrics = LynqMetrics.byRegistry.get(registry);
    if (metrics === undefined) {
      metrics = new LynqMetrics(registry);
      LynqMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private readonly m: ReturnType<typeof register>;
  /** What each node has exported, by `namespace/name`. */
  private readonly nodes = new Map<string, NodeSeries>();

  private constructor(registry: Registry) {
    this.m = register(registry);
  }

  nodeReconciled(result: NodeReconcileResult, seconds: number): void {
    this.m.reconcileDuration.observe({ result }, seconds);
  }

  /**
   * A node's counts, conditions and degraded reason (undefined when healthy). Condition types the
   * node no longer has lose their series; every degraded reason but the current one reads 0.
   */
  nodeStatus(
    namespace: string,
    name: string,
    counts: NodeResourceCounts,
    conditions: readonly ConditionLike[],
    degradedReason: string | undefined,
  ): void {
    const labels = { lynqnode: name, namespace };
    for (const key of keys(this.m.resources)) this.m.resources[key].set(labels, counts[key]);
    const series = this.series(namespace, name);
    const types = new Set(conditions.map((c) => c.type));
    for (const type of series.types)
      if (!types.has(type)) this.m.condition.remove({ ...labels, type });
    for (const { type, status } of conditions)
      this.m.condition.set({ ...labels, type }, CONDITION_VALUES[status] ?? 2);
    series.types = types;
    if (degradedReason !== undefined) series.reasons.add(degradedReason);
    else for (const reason of DEGRADED_REASONS) series.reasons.add(reason);
    for (const reason of series.reasons)
      this.m.degraded.set({ ...labels, reason }, reason === degradedReason ? 1 : 0);
  }

  /** Removes every series of the node. */
  nodeDeleted(namespace: string, name: string): void {
    const labels = { lynqnode: name, namespace };
    for (const g of Object.values(this.m.resources)) g.remove(labels);
    const series = this.nodes.get(`${namespace}/${name}`);
    if (series === undefined) return;
    for (const type of series.types) this.m.condition.remove({ ...labels, type });
    for (const reason of series.reasons) this.m.degraded.remove({ ...labels, reason });
    for (const conflict of series.conflicts.values())
      this.m.conflicts.remove({ ...labels, ...conflict });
    this.nodes.delete(`${namespace}/${name}`);
  }

  conflict(namespace: string, node: string, kind: string, conflictPolicy: string): void {
    const conflict = { resource_kind: kind, conflict_policy: conflictPolicy };
    this.m.conflicts.inc({ lynqnode: node, namespace, ...conflict });
    this.series(namespace, node).conflicts.set(`${kind}\0${conflictPolicy}`, conflict);
  }

  applyAttempt(kind: string, result: 'success' | 'error', conflictPolicy: string): void {
    this.m.applyAttempts.inc({ kind, result, conflict_policy: conflictPolicy });
  }

  hub(namespace: string, name: string, counts: HubNodeCounts): void {
    for (const key of keys(this.m.hub)) this.m.hub[key].set({ hub: name, namespace }, counts[key]);
  }

  /** Datasource health, deletion-guard holds and render failures of one hub sync. */
  hubSync(namespace: string, name: string, sync: HubSyncValues): void {
    const labels = { hub: name, namespace };
    const g = this.m.hubSync;
    g.datasourceUp.set(labels, sync.datasourceUp ? 1 : 0);
    if (sync.succeededAtMs !== undefined) g.lastSuccess.set(labels, sync.succeededAtMs / 1000);
    g.syncInterval.set(labels, sync.syncIntervalMs / 1000);
    g.deletionsHeld.set(labels, sync.deletionsHeld);
    g.renderErrors.set(labels, sync.renderErrors);
  }

  hubDeleted(namespace: string, name: string): void {
    for (const g of [...Object.values(this.m.hub), ...Object.values(this.m.hubSync)])
      g.remove({ hub: name, namespace });
  }

  /** A form's rollout gauges; undefined removes them (Lynq's rule when maxSkew is 0). */
  formRollout(namespace: string, name: string, rollout: FormRolloutValues | undefined): void {
    const labels = { form: name, namespace };
    for (const key of keys(this.m.rollout)) {
      const gauge = this.m.rollout[key];
      if (rollout === undefined) gauge.remove(labels);
      else gauge.set(labels, key === 'phase' ? ROLLOUT_PHASE_VALUES[rollout.phase] : rollout[key]);
    }
  }

  formDeleted(namespace: string, name: string): void {
    this.formRollout(namespace, name, undefined);
  }

  private series(namespace: string, name: string): NodeSeries {
    const key = `${namespace}/${name}`;
    let series = this.nodes.get(key);
    if (series === undefined) {
      series = { types: new Set(), reasons: new Set(), conflicts: new Map() };
      this.nodes.set(key, series);
    }
    return series;
  }
}
