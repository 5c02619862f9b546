// Row-change latency: one row's `plan` updated, the clock running from the UPDATE until the
// node's ConfigMap shows the new value (seen through a watch). Changes never overlap.
import { setTimeout as delay } from 'node:timers/promises';
import { Informer, silentLogger, type KubeObject, type RestClient } from '@lynq/runtime';
import { log, round } from './bench.js';
import { Res } from './kube.js';
import type { RowTable } from './tables.js';
import { configMapName, type Row } from './workload.js';

/** Watches the ConfigMaps of a namespace and tells when one shows an expected `plan`. */
export class ConfigMapWatch {
  private readonly informer: Informer;
  private readonly expected = new Map<string, { plan: string; seen: (at: number) => void }>();

  constructor(rest: RestClient, namespace: string) {
    this.informer = new Informer({
      client: rest,
      type: Res.ConfigMap,
      namespace,
      logger: silentLogger,
    });
    const check = (cm: KubeObject) => {
      const name = cm.metadata.name ?? '';
      const want = this.expected.get(name);
      const data = cm['data'] as Record<string, string> | undefined;
      if (want !== undefined && data?.['plan'] === want.plan) {
        this.expected.delete(name);
        want.seen(Date.now());
      }
    };
    this.informer.addEventHandler({ onAdd: check, onUpdate: (_, cm) => check(cm) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync(AbortSignal.timeout(60_000));
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Resolves with the time (ms since the epoch) at which `name` shows `plan`. */
  expect(name: string, plan: string, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.expected.delete(name);
        reject(
          new Error(`ConfigMap ${name} did not show plan=${plan} within ${timeoutMs / 1000} s`),
        );
      }, timeoutMs);
      this.expected.set(name, {
        plan,
        seen: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }
}

export interface LatencyStats {
  source: string;
  syncInterval: string;
  changes: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  minMs: number;
  meanMs: number;
  samplesMs: number[];
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

export function stats(source: string, syncInterval: string, samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    source,
    syncInterval,
    changes: samples.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    maxMs: sorted[sorted.length - 1] ?? 0,
    minMs: sorted[0] ?? 0,
    meanMs: round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
    samplesMs: samples,
  };
}

/**
 * `changes` updates of distinct random rows, one at a time: wait `pauseMs()`, UPDATE, wait until
 * the ConfigMap shows the value. `failFast` ends the series when the operator is gone.
 */
export async function latencySeries(options: {
  label: string;
  table: RowTable;
  rows: readonly Row[];
  watch: ConfigMapWatch;
  changes: number;
  pauseMs: () => number;
  timeoutMs: number;
  failFast: () => string | undefined;
}): Promise<number[]> {
  const picks = [...options.rows].sort(() => Math.random() - 0.5);
  const samples: number[] = [];
  for (let i = 0; i < options.changes; i++) {
    const row = picks[i % picks.length];
    if (row === undefined) break;
    await delay(options.pauseMs());
    const failed = options.failFast();
    if (failed !== undefined) throw new Error(failed);
    const plan = `p${i}-${Date.now().toString(36)}`;
    const seen = options.watch.expect(configMapName(row.uid), plan, options.timeoutMs);
    seen.catch(() => undefined); // awaited below; a failed UPDATE must not leave it unhandled
    const t0 = Date.now();
    await options.table.setPlan(row.uid, plan);
    const ms = (await seen) - t0;
    samples.push(ms);
    log(`${options.label}: change ${i + 1}/${options.changes} (${row.uid}) seen after ${ms} ms`);
  }
  return samples;
}
