import { RuntimeMetrics } from '@lynq/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LynqMetrics } from './lynq-metrics.js';

/** The sample lines of a scrape (no HELP/TYPE), for exact matching. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const seriesOf = (lines: string[], node: string) =>
  lines.filter((l) => l.includes(`lynqnode="${node}"`));

const ready = [
  { type: 'Ready', status: 'True' },
  { type: 'Progressing', status: 'False' },
  { type: 'Conflicted', status: 'False' },
  { type: 'Degraded', status: 'False' },
];

describe('LynqMetrics', () => {
  it('is one instance per registry, and lives beside the runtime metrics', async () => {
    const registry = new Registry();
    expect(LynqMetrics.for(registry)).toBe(LynqMetrics.for(registry));
    expect(LynqMetrics.for(new Registry())).not.toBe(LynqMetrics.for(registry));
    RuntimeMetrics.for(registry).controller('lynqnode').reconciled('success', 5);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE lynqnode_reconcile_duration_seconds histogram');
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="lynqnode",result="success"} 1',
    );
  });

  it('declares every metric with its Prometheus type', async () => {
    const text = await new Registry().metrics();
    expect(text).toBe('\n'); // nothing before LynqMetrics.for
    const registry = new Registry();
    LynqMetrics.for(registry);
    const types = (await registry.metrics()).split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(types.sort()).toEqual(
      [
        'apply_attempts_total counter',
        'hub_desired gauge',
        'hub_failed gauge',
        'hub_ready gauge',
        'lynq_hub_datasource_up gauge',
        'lynq_hub_deletions_held gauge',
        'lynq_hub_last_successful_sync_timestamp_seconds gauge',
        'lynq_hub_render_errors gauge',
        'lynq_hub_sync_interval_seconds gauge',
        'lynqform_rollout_phase gauge',
        'lynqform_rollout_progress gauge',
        'lynqform_rollout_updating_nodes gauge',
        'lynqnode_condition_status gauge',
        'lynqnode_conflicts_total counter',
        'lynqnode_degraded_status gauge',
        'lynqnode_reconcile_duration_seconds histogram',
        'lynqnode_resources_conflicted gauge',
        'lynqnode_resources_desired gauge',
        'lynqnode_resources_failed gauge',
        'lynqnode_resources_ready gauge',
      ].map((t) => `# TYPE ${t}`),
    );
  });

  it('observes reconcile durations in Lynq buckets by result', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    metrics.nodeReconciled('success', 0.3);
    metrics.nodeReconciled('success', 45);
    metrics.nodeReconciled('partial_failure', 1);
    const lines = await samples(registry);
    const success = lines.filter((l) => l.includes('result="success"'));
    expect(success).toEqual([
      'lynqnode_reconcile_duration_seconds_bucket{le="0.1",result="success"} 0',
      'lynqnode_reconcile_duration_seconds_bucket{le="0.5",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="1",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="2",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="5",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="10",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="30",result="success"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{le="60",result="success"} 2',
      'lynqnode_reconcile_duration_seconds_bucket{le="+Inf",result="success"} 2',
      'lynqnode_reconcile_duration_seconds_sum{result="success"} 45.3',
      'lynqnode_reconcile_duration_seconds_count{result="success"} 2',
    ]);
    expect(lines).toContain(
      'lynqnode_reconcile_duration_seconds_bucket{le="1",result="partial_failure"} 1',
    );
  });

  it('exports a node status with labels in Lynq order', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    metrics.nodeStatus(
      'ns',
      'a',
      { ready: 2, desired: 3, failed: 1, conflicted: 0 },
      [
        { type: 'Ready', status: 'True' },
        { type: 'Progressing', status: 'False' },
        { type: 'Degraded', status: 'Unknown' },
      ],
      undefined,
    );
    const lines = await samples(registry);
    expect(seriesOf(lines, 'a')).toEqual(
      expect.arrayContaining([
        'lynqnode_resources_ready{lynqnode="a",namespace="ns"} 2',
        'lynqnode_resources_desired{lynqnode="a",namespace="ns"} 3',
        'lynqnode_resources_failed{lynqnode="a",namespace="ns"} 1',
        'lynqnode_resources_conflicted{lynqnode="a",namespace="ns"} 0',
        'lynqnode_condition_status{lynqnode="a",namespace="ns",type="Ready"} 1',
        'lynqnode_condition_status{lynqnode="a",namespace="ns",type="Progressing"} 0',
        'lynqnode_condition_status{lynqnode="a",namespace="ns",type="Degraded"} 2',
      ]),
    );
  });

  it('sets the degraded reason to 1 and every other reason of the node to 0', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    const counts = { ready: 0, desired: 2, failed: 2, conflicted: 0 };
    metrics.nodeStatus('ns', 'a', counts, ready, 'ResourceFailures');
    let degraded = (await samples(registry)).filter((l) => l.startsWith('lynqnode_degraded'));
    expect(degraded).toEqual([
      'lynqnode_degraded_status{lynqnode="a",namespace="ns",reason="ResourceFailures"} 1',
    ]);

    metrics.nodeStatus('ns', 'a', counts, ready, 'ResourceConflicts');
    degraded = (await samples(registry)).filter((l) => l.startsWith('lynqnode_degraded'));
    expect(degraded).toEqual([
      'lynqnode_degraded_status{lynqnode="a",namespace="ns",reason="ResourceFailures"} 0',
      'lynqnode_degraded_status{lynqnode="a",namespace="ns",reason="ResourceConflicts"} 1',
    ]);

    metrics.nodeStatus('ns', 'a', { ...counts, ready: 2, failed: 0 }, ready, undefined);
    degraded = (await samples(registry)).filter((l) => l.startsWith('lynqnode_degraded'));
    expect(degraded.sort()).toEqual(
      [
        'DependencyCycle',
        'ResourceConflicts',
        'ResourceFailures',
        'ResourceFailuresAndConflicts',
        'ResourcesNotReady',
        'TemplateRenderError',
        'VariablesBuildError',
      ].map((r) => `lynqnode_degraded_status{lynqnode="a",namespace="ns",reason="${r}"} 0`),
    );
  });

  it('drops the series of a condition type the node no longer has', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    const counts = { ready: 1, desired: 1, failed: 0, conflicted: 0 };
    metrics.nodeStatus('ns', 'a', counts, ready, undefined);
    metrics.nodeStatus('ns', 'a', counts, [{ type: 'Ready', status: 'False' }], undefined);
    const conditions = (await samples(registry)).filter((l) => l.includes('condition_status'));
    expect(conditions).toEqual([
      'lynqnode_condition_status{lynqnode="a",namespace="ns",type="Ready"} 0',
    ]);
  });

  it('counts conflicts and apply attempts with labels in Lynq order', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    metrics.conflict('ns', 'a', 'Deployment', 'Stuck');
    metrics.conflict('ns', 'a', 'Deployment', 'Stuck');
    metrics.conflict('ns', 'a', 'Service', 'Force');
    metrics.applyAttempt('Deployment', 'success', 'Stuck');
    metrics.applyAttempt('Deployment', 'error', 'Stuck');
    metrics.applyAttempt('Deployment', 'error', 'Stuck');
    const lines = await samples(registry);
    expect(lines).toEqual(
      expect.arrayContaining([
        'lynqnode_conflicts_total{lynqnode="a",namespace="ns",resource_kind="Deployment",conflict_policy="Stuck"} 2',
        'lynqnode_conflicts_total{lynqnode="a",namespace="ns",resource_kind="Service",conflict_policy="Force"} 1',
        'apply_attempts_total{kind="Deployment",result="success",conflict_policy="Stuck"} 1',
        'apply_attempts_total{kind="Deployment",result="error",conflict_policy="Stuck"} 2',
      ]),
    );
  });

  it('removes every series of a deleted node and nothing of the others', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    const counts = { ready: 1, desired: 1, failed: 0, conflicted: 1 };
    for (const node of ['a', 'b']) {
      metrics.nodeStatus('ns', node, counts, ready, 'ResourceConflicts');
      metrics.nodeStatus('ns', node, counts, ready, undefined);
      metrics.conflict('ns', node, 'ConfigMap', 'Stuck');
    }
    metrics.nodeReconciled('success', 1);
    const before = await samples(registry);
    expect(seriesOf(before, 'a')).toHaveLength(4 + 4 + 7 + 1);
    metrics.nodeDeleted('ns', 'a');
    const after = await samples(registry);
    expect(seriesOf(after, 'a')).toEqual([]);
    expect(seriesOf(after, 'b')).toEqual(seriesOf(before, 'b'));
    metrics.nodeDeleted('ns', 'a'); // twice, or never seen: harmless
    metrics.nodeDeleted('other', 'never');
    // A node re-created under the same name starts afresh.
    metrics.conflict('ns', 'a', 'ConfigMap', 'Stuck');
    expect(seriesOf(await samples(registry), 'a')).toEqual([
      'lynqnode_conflicts_total{lynqnode="a",namespace="ns",resource_kind="ConfigMap",conflict_policy="Stuck"} 1',
    ]);
  });

  it('exports hub counts and removes them with the hub', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    metrics.hub('ns', 'h', { desired: 5, ready: 3, failed: 1 });
    metrics.hub('ns', 'other', { desired: 1, ready: 1, failed: 0 });
    expect(await samples(registry)).toEqual(
      expect.arrayContaining([
        'hub_desired{hub="h",namespace="ns"} 5',
        'hub_ready{hub="h",namespace="ns"} 3',
        'hub_failed{hub="h",namespace="ns"} 1',
      ]),
    );
    metrics.hubDeleted('ns', 'h');
    const lines = await samples(registry);
    expect(lines.filter((l) => l.includes('hub="h"'))).toEqual([]);
    expect(lines).toContain('hub_desired{hub="other",namespace="ns"} 1');
  });

  it('exports hub sync health: datasource up, last good read, held deletions, render errors', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    const hubLines = async () =>
      (await samples(registry)).filter((l) => l.startsWith('lynq_hub_') && l.includes('hub="h"'));
    metrics.hubSync('ns', 'h', {
      datasourceUp: true,
      succeededAtMs: 1_700_000_000_500,
      syncIntervalMs: 30_000,
      deletionsHeld: 0,
      renderErrors: 0,
    });
    expect(await hubLines()).toEqual([
      'lynq_hub_datasource_up{hub="h",namespace="ns"} 1',
      'lynq_hub_last_successful_sync_timestamp_seconds{hub="h",namespace="ns"} 1700000000.5',
      'lynq_hub_sync_interval_seconds{hub="h",namespace="ns"} 30',
      'lynq_hub_deletions_held{hub="h",namespace="ns"} 0',
      'lynq_hub_render_errors{hub="h",namespace="ns"} 0',
    ]);
    // A failed read keeps the time of the last good one.
    metrics.hubSync('ns', 'h', {
      datasourceUp: false,
      syncIntervalMs: 60_000,
      deletionsHeld: 7,
      renderErrors: 2,
    });
    expect(await hubLines()).toEqual([
      'lynq_hub_datasource_up{hub="h",namespace="ns"} 0',
      'lynq_hub_last_successful_sync_timestamp_seconds{hub="h",namespace="ns"} 1700000000.5',
      'lynq_hub_sync_interval_seconds{hub="h",namespace="ns"} 60',
      'lynq_hub_deletions_held{hub="h",namespace="ns"} 7',
      'lynq_hub_render_errors{hub="h",namespace="ns"} 2',
    ]);
    metrics.hubSync('ns', 'other', {
      datasourceUp: true,
      syncIntervalMs: 30_000,
      deletionsHeld: 0,
      renderErrors: 0,
    });
    metrics.hubDeleted('ns', 'h');
    expect(await hubLines()).toEqual([]);
    expect(await samples(registry)).toContain(
      'lynq_hub_datasource_up{hub="other",namespace="ns"} 1',
    );
  });

  it('exports form rollouts with phase numbers and removes them without maxSkew', async () => {
    const registry = new Registry();
    const metrics = LynqMetrics.for(registry);
    const phases = ['Idle', 'InProgress', 'Failed', 'Complete'] as const;
    for (const [n, phase] of phases.entries()) {
      metrics.formRollout('ns', 'f', { updating: 2, phase, progress: 40 });
      expect(await samples(registry)).toContain(
        `lynqform_rollout_phase{form="f",namespace="ns"} ${n}`,
      );
    }
    expect(await samples(registry)).toEqual([
      'lynqform_rollout_updating_nodes{form="f",namespace="ns"} 2',
      'lynqform_rollout_phase{form="f",namespace="ns"} 3',
      'lynqform_rollout_progress{form="f",namespace="ns"} 40',
    ]);
    metrics.formRollout('ns', 'f', undefined);
    expect(await samples(registry)).toEqual([]);
    metrics.formRollout('ns', 'g', { updating: 0, phase: 'Complete', progress: 100 });
    metrics.formDeleted('ns', 'g');
    expect(await samples(registry)).toEqual([]);
  });
});
