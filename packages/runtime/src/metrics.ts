import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram.js';
import {
  RuntimeMetricNames as N,
  ReconcileResults,
  type ReconcileResultLabel,
} from './metric-names.js';
import type { QueueMetrics } from './queue-metrics.js';

// controller-runtime's reconcile_time_seconds buckets.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
  1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go workqueue: exponential buckets 10ns·10^i, 12 of them (10 ns … 1,000 s).
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** What one controller reports about its reconcile loop. */
export interface ControllerMetrics {
  reconciled(result: ReconcileResultLabel, ms: number): void;
  workers(max: number): void;
  activeWorkers(delta: number): void;
}

/**
 * The runtime's Prometheus metrics on one registry (prom-client's global registry unless another
 * is given). One instance per registry: the metrics are registered once and shared by every
 * controller and queue, distinguished by their `controller` / `name` labels.
 */
/** A counter bumped on the hot path as a plain number and handed to prom-client on scrape. */
interface Pending {
  labels: Record<string, string>;
  value: number;
}

function lazyCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): { counter: Counter<L>; pending: (labels: Record<L, string>) => Pending } {
  const all: Pending[] = [];
  const counter = new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const p of all) {
        if (p.value === 0) continue;
        counter.inc(p.labels as Partial<Record<L, string>>, p.value);
        p.value = 0;
      }
    },
  });
  return {
    counter,
    pending: (labels) => {
      const p: Pending = { labels, value: 0 };
      all.push(p);
      counter.inc(labels as Partial<Record<L, string>>, 0); // the series exists from the start
      return p;
    },
  };
}

/** A gauge whose values are read from plain numbers on scrape. */
function lazyGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): (labels: Record<L, string>) => Pending {
  const all: Pending[] = [];
  const gauge = new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const p of all) gauge.set(p.labels as Partial<Record<L, string>>, p.value);
    },
  });
  return (labels) => {
    const p: Pending = { labels, value: 0 };
    all.push(p);
    return p;
  };
}

/**
 * The runtime's Prometheus metrics on one registry (prom-client's global registry unless another
 * is given). One instance per registry: the metrics are registered once and shared by every
 * controller and queue, distinguished by their `controller` / `name` labels. Hot-path updates
 * are plain number bumps; prom-client sees them when the registry is scraped.
 */
export class RuntimeMetrics {
  readonly registry: Registry;
  private readonly reconcileTotal: (labels: Record<'controller' | 'result', string>) => Pending;
  private readonly reconcileErrors: (labels: Record<'controller', string>) => Pending;
  private readonly reconcileTime: FastHistogram;
  private readonly maxConcurrent: (labels: Record<'controller', string>) => Pending;
  private readonly active: (labels: Record<'controller', string>) => Pending;
  private readonly depth: (labels: Record<'name', string>) => Pending;
  private readonly adds: (labels: Record<'name', string>) => Pending;
  private readonly queueDuration: FastHistogram;
  private readonly workDuration: FastHistogram;
  private readonly retries: (labels: Record<'name', string>) => Pending;
  readonly leaderStatus: Gauge<'name'>;

  private static readonly byRegistry = new WeakMap<Registry, RuntimeMetrics>();

  /** The RuntimeMetrics of `registry`, created on first use. */
  static for(registry: Registry = globalRegistry): RuntimeMetrics {
    let m = RuntimeMetrics.byRegistry.get(registry);
    if (m === undefined) {
      m = new RuntimeMetrics(registry);
      RuntimeMetrics.byRegistry.set(registry, m);
    }
    return m;
  }

  private constructor(registry: Registry) {
    this.registry = registry;
    this.reconcileTotal = lazyCounter(
      registry,
      N.ReconcileTotal,
      'Total number of reconciliations per controller',
      ['controller', 'result'],
    ).pending;
    this.reconcileErrors = lazyCounter(
      registry,
      N.ReconcileErrorsTotal,
      'Total number of reconciliation errors per controller',
      ['controller'],
    ).pending;
    this.reconcileTime = new FastHistogram(
      N.ReconcileTimeSeconds,
      'Length of time per reconciliation per controller',
      'controller',
      RECONCILE_BUCKETS,
      registry,
    );
    this.maxConcurrent = lazyGauge(
      registry,
      N.MaxConcurrentReconciles,
      'Maximum number of concurrent reconciles per controller',
      ['controller'],
    );
    this.active = lazyGauge(
      registry,
      N.ActiveWorkers,
      'Number of currently used workers per controller',
      ['controller'],
    );
    this.depth = lazyGauge(registry, N.WorkqueueDepth, 'Current depth of workqueue', ['name']);
    this.adds = lazyCounter(
      registry,
      N.WorkqueueAddsTotal,
      'Total number of adds handled by workqueue',
      ['name'],
    ).pending;
    this.queueDuration = new FastHistogram(
      N.WorkqueueQueueDurationSeconds,
      'How long in seconds an item stays in workqueue before being requested',
      'name',
      QUEUE_BUCKETS,
      registry,
    );
    this.workDuration = new FastHistogram(
      N.WorkqueueWorkDurationSeconds,
      'How long in seconds processing an item from workqueue takes',
      'name',
      QUEUE_BUCKETS,
      registry,
    );
    this.retries = lazyCounter(
      registry,
      N.WorkqueueRetriesTotal,
      'Total number of retries handled by workqueue',
      ['name'],
    ).pending;
    this.leaderStatus = new Gauge({
      name: N.LeaderElectionMasterStatus,
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers: [registry],
    });
  }

  /** QueueMetrics for the queue called `name`. */
  queue(name: string): QueueMetrics {
    const depth = this.depth({ name });
    const adds = this.adds({ name });
    const queued = this.queueDuration.labels(name);
    const worked = this.workDuration.labels(name);
    const retries = this.retries({ name });
    return {
      added: () => void adds.value++,
      depth: (n) => void (depth.value = n),
      queued: (ms) => queued.observe(ms / 1000),
      worked: (ms) => worked.observe(ms / 1000),
      retried: () => void retries.value++,
    };
  }

  /** ControllerMetrics for the controller called `name`. */
  controller(name: string): ControllerMetrics {
    const results = new Map(
      Object.values(ReconcileResults).map(
        (result) => [result, this.reconcileTotal({ controller: name, result })] as const,
      ),
    );
    const errors = this.reconcileErrors({ controller: name });
    const time = this.reconcileTime.labels(name);
    const max = this.maxConcurrent({ controller: name });
    const active = this.active({ controller: name });
    return {
      reconciled: (result, ms) => {
        const counter = results.get(result);
        if (counter !== undefined) counter.value++;
        if (result === ReconcileResults.Error) errors.value++;
        time.observe(ms / 1000);
      },
      workers: (n) => void (max.value = n),
      activeWorkers: (delta) => void (active.value += delta),
    };
  }
}
