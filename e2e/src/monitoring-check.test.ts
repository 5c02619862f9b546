// The alerting rules, their unit tests, the runbooks and the dashboard as files (no operator
// needed): promtool checks and tests the rules; the checker of monitoring.e2e.test.ts is tested
// here on a scrape written by hand, so that a check that cannot fail would be noticed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goTool } from './harness/go-tools.js';
import { parseMetrics } from './harness/metrics.js';
import {
  MonitoringFiles,
  checkAlertMetadata,
  checkQueries,
  dashboardExpressions,
  dashboardPanels,
  exportedMetrics,
  grafanaToPromql,
  headingAnchor,
  parseQueries,
  readAlertRules,
} from './monitoring-check.js';

const promtool = () => goTool('promtool', 'promtool');

/** Runs promtool; its exit status and everything it printed. */
function runPromtool(args: string[]): { status: number; output: string } {
  try {
    const out = execFileSync(promtool(), args, { encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output: out };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'lynq-monitoring-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Lynq's 14 alerts (reference §8): name → group and duration.
const LYNQ_ALERTS: Record<string, [group: string, duration?: string]> = {
  LynqNodeDegraded: ['lynq.critical', '5m'],
  LynqNodeResourcesFailed: ['lynq.critical', '5m'],
  LynqNodeNotReady: ['lynq.critical', '15m'],
  LynqNodeStatusUnknown: ['lynq.critical', '10m'],
  HubManyNodesFailure: ['lynq.critical', '5m'],
  LynqNodeResourcesMismatch: ['lynq.warning'],
  LynqNodeResourcesConflicted: ['lynq.warning'],
  LynqNodeHighConflictRate: ['lynq.warning'],
  HubNodesFailure: ['lynq.warning'],
  HubDesiredCountMismatch: ['lynq.warning'],
  LynqNodeReconciliationErrors: ['lynq.warning'],
  LynqNodeReconciliationSlow: ['lynq.warning'],
  HighApplyFailureRate: ['lynq.warning'],
  LynqNodeNewConflictsDetected: ['lynq.info'],
};

describe('prometheus-rules.yaml', () => {
  it('passes promtool check rules', () => {
    const { status, output } = runPromtool(['check', 'rules', MonitoringFiles.rules]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  it('passes promtool test rules (alerts fire, and stay quiet, on synthetic series)', () => {
    const { status, output } = runPromtool(['test', 'rules', MonitoringFiles.ruleTests]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('promtool check rules fails on a broken copy (the check can fail)', () => {
    const broken = join(scratch, 'broken-rules.yaml');
    writeFileSync(
      broken,
      readFileSync(MonitoringFiles.rules, 'utf8').replace(
        'expr: max by (namespace, hub) (lynq_hub_deletions_held) > 0',
        'expr: max by (namespace, hub) (lynq_hub_deletions_held > 0',
      ),
    );
    const { status, output } = runPromtool(['check', 'rules', broken]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/unclosed left parenthesis|unexpected/);
  });

  it('has Lynq’s 14 alerts with their groups and durations, and ours beside them', () => {
    const { rules, errors } = readAlertRules();
    expect(errors).toEqual([]);
    const byName = new Map(rules.map((r) => [r.alert, r]));
    for (const [name, [group, duration]] of Object.entries(LYNQ_ALERTS)) {
      const rule = byName.get(name);
      expect(rule, name).toBeDefined();
      expect(rule?.group, name).toBe(group);
      if (duration !== undefined) expect(rule?.for, name).toBe(duration);
    }
    expect([...new Set(rules.map((r) => r.group))]).toEqual([
      'lynq.critical',
      'lynq.warning',
      'lynq.info',
    ]);
    for (const ours of [
      'LynqHubDatasourceSyncFailing',
      'LynqHubDatasourceStale',
      'LynqHubDeletionsHeld',
      'LynqFormRolloutFailed',
      'LynqShardUnowned',
      'LynqShardOwnershipFlapping',
      'LynqLeaderAbsent',
      'LynqWebhookErrors',
    ])
      expect(byName.has(ours), ours).toBe(true);
  });

  it('gives every alert a severity of its group, a summary, a description and a runbook that exists', () => {
    const { rules } = readAlertRules();
    const runbooks = readFileSync(MonitoringFiles.runbooks, 'utf8');
    expect(checkAlertMetadata(rules, runbooks)).toEqual([]);
  });

  it('the metadata check fails on a missing runbook, a wrong severity or a runbook of no alert', () => {
    const { rules } = readAlertRules();
    const one = rules.find((r) => r.alert === 'LynqNodeDegraded')!;
    const runbooks = '## LynqNodeDegraded\n\n## GoneAlert\n\n## How to read these\n';
    expect(
      checkAlertMetadata(
        [one, { ...one, alert: 'NoRunbook', labels: { severity: 'warning' } }],
        runbooks,
      ),
    ).toEqual([
      'alert NoRunbook: severity warning in group lynq.critical',
      'alert NoRunbook: runbook_url is docs/alert-runbooks.md#lynqnodedegraded, not docs/alert-runbooks.md#norunbook',
      'alert NoRunbook: docs/alert-runbooks.md has no "## NoRunbook"',
      'docs/alert-runbooks.md#gonealert: a runbook for an alert that does not exist',
    ]);
  });
});

describe('grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(MonitoringFiles.dashboard, 'utf8')) as {
    title: string;
    uid: string;
    templating: { list: { name: string; type: string; query?: unknown }[] };
  };
  const panels = dashboardPanels(dashboard);

  it('is "Lynq Operator" (uid lynq-operator) with Lynq’s panels and ours', () => {
    expect(dashboard.title).toBe('Lynq Operator');
    expect(dashboard.uid).toBe('lynq-operator');
    const titles = new Set(panels.map((p) => p.title));
    for (const title of [
      // reference §8
      'Total Desired Nodes',
      'Total Ready Nodes',
      'Total Failed Nodes',
      'Total Conflicted Resources',
      'Reconciliation Duration (Percentiles)',
      'Reconciliation Rate',
      'Error Rate',
      'LynqNode Ready Status',
      'Degraded Nodes',
      'Resource Counts by Node',
      'Resource Counts (Total)',
      'Conflicted Resources by Node',
      'Conflicted Resources (Total)',
      'Hub Health',
      'Apply Rate by Kind',
      'Conflicts Rate by Node',
      'Work Queue Depth',
      // issue 14
      'Datasource Health',
      'Rollout Progress',
      'Deletion Guard Holds',
      'Shard Ownership',
    ])
      expect(titles.has(title), title).toBe(true);
  });

  it('takes its datasource from a variable and names no datasource uid of its own', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    const uids = new Set<string>();
    JSON.stringify(dashboard, (key, value: unknown) => {
      if (key === 'datasource' && typeof value === 'object' && value !== null) {
        const uid = (value as { uid?: unknown }).uid;
        if (typeof uid === 'string') uids.add(uid);
      }
      return value;
    });
    // Grafana's built-in annotation source is the only other one.
    expect([...uids].sort()).toEqual(['${datasource}', '-- Grafana --']);
    for (const p of panels.filter((x) => x.type !== 'row'))
      expect((p as { datasource?: { uid?: string } }).datasource?.uid, p.title).toBe(
        '${datasource}',
      );
  });

  it('has ids unique and every query parses', () => {
    const ids = panels.map((p) => (p as { id?: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    const queries = parseQueries(dashboardExpressions(dashboard));
    expect(queries.filter((q) => q.error !== undefined)).toEqual([]);
    expect(queries.some((q) => q.where === 'variable namespace')).toBe(true);
  });
});

describe('the checker', () => {
  const scrape = parseMetrics(
    [
      '# TYPE hub_ready gauge',
      'hub_ready{hub="h",namespace="ns"} 1',
      '# TYPE apply_attempts_total counter',
      'apply_attempts_total{kind="ConfigMap",result="success",conflict_policy="Stuck"} 3',
      '# TYPE lynqnode_reconcile_duration_seconds histogram',
      'lynqnode_reconcile_duration_seconds_bucket{result="success",le="0.1"} 1',
      'lynqnode_reconcile_duration_seconds_bucket{result="success",le="+Inf"} 1',
      'lynqnode_reconcile_duration_seconds_sum{result="success"} 0.05',
      'lynqnode_reconcile_duration_seconds_count{result="success"} 1',
      '# TYPE workqueue_depth gauge',
      '',
    ].join('\n'),
  );
  const exported = exportedMetrics(scrape);
  const check = (expr: string, requireSamples = true) =>
    checkQueries(parseQueries([{ where: 'q', expr }]), exported, { requireSamples });

  it('accepts exported metrics, histogram series and target labels', () => {
    expect(
      check(
        'histogram_quantile(0.95, sum by (le, job) (rate(lynqnode_reconcile_duration_seconds_bucket{result="error", job="lynq"}[5m])))',
      ),
    ).toEqual([]);
    expect(check('sum(rate(lynqnode_reconcile_duration_seconds_count[5m]))')).toEqual([]);
    expect(check('max by (namespace, hub) (hub_ready{namespace=~"$namespace"}) > 0')).toEqual([]);
    expect(check('sum by (kind) (rate(apply_attempts_total{result="error"}[5m]))')).toEqual([]);
    expect(check('absent(hub_ready)')).toEqual([]);
  });

  it('reports a wrong name, a wrong label, a bare histogram, le off a bucket, no samples', () => {
    expect(check('hub_redy > 0')).toEqual(['q: hub_redy is not a metric the operator exports']);
    expect(check('hub_ready{hubb="h"}')).toEqual([
      'q: hub_ready has no label hubb (it has hub, namespace)',
    ]);
    expect(check('lynqnode_reconcile_duration_seconds')).toEqual([
      'q: lynqnode_reconcile_duration_seconds is a histogram: select lynqnode_reconcile_duration_seconds_bucket, _sum or _count',
    ]);
    expect(check('lynqnode_reconcile_duration_seconds_count{le="1"}')).toEqual([
      'q: lynqnode_reconcile_duration_seconds_count has no label le (it has result)',
    ]);
    expect(check('apply_attempts_total_count')).toEqual([
      'q: apply_attempts_total_count is not a metric the operator exports',
    ]);
    expect(check('workqueue_depth{name="lynqnode"}')).toEqual([
      'q: workqueue_depth is declared but has no samples to check',
    ]);
    expect(check('workqueue_depth{name="lynqnode"}', false)).toEqual([]);
  });

  it('reports what does not parse or selects nothing by name', () => {
    expect(check('sum(rate(hub_ready[5m])')[0]).toMatch(/^q: does not parse: /);
    expect(check('{__name__=~"hub_.*"}')).toEqual([
      'q: a selector without a metric name: {__name__=~"hub_.*"}',
    ]);
    expect(check('vector(1)')).toEqual(['q: selects no metric']);
  });

  it('reads metric names with the PromQL parser, not by pattern', () => {
    const [q] = parseQueries([
      {
        where: 'q',
        expr: 'sum by (rate, le) (rate(hub_ready{hub="sum(x)"}[5m] offset 1m)) / on (hub) group_left count({__name__="hub_desired"})',
      },
    ]);
    expect(q?.selectors).toEqual([
      { metric: 'hub_ready', labels: ['hub'] },
      { metric: 'hub_desired', labels: [] },
    ]);
  });

  it('turns Grafana interval variables into durations, and makes GitHub anchors', () => {
    expect(grafanaToPromql('rate(x[$__rate_interval]) + rate(y[${__interval}])')).toBe(
      'rate(x[5m]) + rate(y[5m])',
    );
    expect(headingAnchor('LynqNodeDegraded')).toBe('lynqnodedegraded');
    expect(headingAnchor('How to read: these')).toBe('how-to-read-these');
  });
});
