// The shipped alerts and dashboard against a running operator (issue 14, reference §8): the
// operator runs with leader election, two shards, the webhook server and plain-HTTP metrics; a
// small scenario (ready nodes, a paced rollout, a conflict, a hub whose table does not exist, one
// admission request) makes every labelled series appear; then every metric and label that an alert
// expression or a dashboard query selects must be in the scrape. The same checker, given a wrong
// metric name or label against the same scrape, must report it.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics, Webhooks } from '@lynq/api';
import { servingCertificate } from '@lynq/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Res,
  configMap,
  form,
  freePort,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  useScenario,
  type OperatorProcess,
  type Scrape,
} from './harness/index.js';
import {
  checkQueries,
  exportedMetrics,
  parseQueries,
  shippedQueries,
  type Query,
} from './monitoring-check.js';

const s = useScenario({ name: 'monitoring', operator: false });
const HUB = 'mon';
const BROKEN_HUB = 'mon-broken';
const UIDS = ['m1', 'm2'];

let operator: OperatorProcess;
let webhookPort: number;
let caPem: string;
let shipped: ReturnType<typeof shippedQueries>;

/** One AdmissionReview for a form, straight to the webhook server (no webhook configuration). */
function admissionReview(): Promise<number> {
  const object = form({
    name: 'reviewed',
    namespace: s.namespace,
    hubId: HUB,
    configMaps: [configMap('cfg', { x: '1' })],
  });
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '00000000-0000-0000-0000-000000000001',
      kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
      resource: { group: 'operator.lynq.sh', version: 'v1', resource: 'lynqforms' },
      name: 'reviewed',
      namespace: s.namespace,
      operation: 'CREATE',
      userInfo: { username: 'e2e' },
      object,
      dryRun: true,
    },
  });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: webhookPort,
        method: 'POST',
        path: Webhooks.ValidateFormPath,
        ca: caPem,
        headers: { 'Content-Type': 'application/json' },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('admission review timed out')));
    req.end(body);
  });
}

/** Scrapes until `problems` of the scrape is empty; the last problems are the failure's notes. */
function scrapeUntilClean(what: string, problems: (m: Scrape) => string[]): Promise<Scrape> {
  return s.waitFor(
    async (note) => {
      const m = await scrapeMetrics(operator.metricsUrl);
      const found = problems(m);
      note(found);
      return found.length === 0 ? m : undefined;
    },
    { what, timeoutMs: 90_000, intervalMs: 1_000 },
  );
}

beforeAll(async () => {
  shipped = shippedQueries();
  const certDir = mkdtempSync(join(tmpdir(), 'lynq-e2e-monitoring-certs-'));
  caPem = servingCertificate(certDir, { hosts: ['127.0.0.1'] }).caPem;
  s.onCleanup(() => rmSync(certDir, { recursive: true, force: true }));
  webhookPort = await freePort();

  await s.db.insert(
    s.table,
    UIDS.map((id) => ({ id, active: '1', plan: 'x', region: 'y' })),
  );
  // Someone else's ConfigMap where the `conflict` form wants m1's: a conflict under Stuck.
  await s.create(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'm1-taken', namespace: s.namespace },
      data: { owner: 'someone else' },
    },
    Res.ConfigMap,
  );
  operator = await s.startOperator({
    leaderElection: { namespace: s.namespace, id: 'lynq-monitoring' },
    logLevel: 'info',
    args: [
      // Plain HTTP for the scrape (the harness passes it too; --metrics-secure defaults to true).
      '--metrics-secure=false',
      '--shards=2',
      `--webhook-port=${webhookPort}`,
      `--webhook-cert-path=${certDir}`,
    ],
  });

  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  await s.create(
    hub({
      name: BROKEN_HUB,
      namespace: s.namespace,
      source: mysqlSource(`${s.table}_missing`),
    }),
  );
  await s.create(
    form({
      name: 'web',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { x: '1' })],
    }),
  );
  await s.create(
    form({
      name: 'paced',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('p', { x: '1' })],
      rollout: { maxSkew: 1 },
    }),
  );
  await s.create(
    form({
      name: 'conflict',
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('taken', { x: '1' }, { conflictPolicy: 'Stuck' })],
    }),
  );
  for (const uid of UIDS) for (const f of ['web', 'paced']) await s.nodeReady(nodeName(uid, f));
  expect(await admissionReview()).toBe(200);
}, 240_000);

describe('monitoring: alerts and dashboard against the running operator', () => {
  it('the shipped rules parse, and there are queries to check', () => {
    expect(shipped.ruleErrors).toEqual([]);
    expect(shipped.rules.length).toBeGreaterThanOrEqual(26);
    expect(shipped.queries.filter((q) => q.where.startsWith('panel ')).length).toBeGreaterThan(30);
  });

  it('every metric and label an alert or a dashboard query selects is exported', async () => {
    const scrape = await scrapeUntilClean(
      'every metric of the alerts and the dashboard exported, with samples',
      (m) => checkQueries(shipped.queries, exportedMetrics(m)),
    );
    // The metrics the new features added, with the scenario's values.
    const hubLabels = { hub: HUB, namespace: s.namespace };
    const brokenLabels = { hub: BROKEN_HUB, namespace: s.namespace };
    expect(scrape.value(Metrics.HubDatasourceUp, hubLabels)).toBe(1);
    expect(scrape.value(Metrics.HubSyncInterval, hubLabels)).toBe(2);
    expect(scrape.value(Metrics.HubDeletionsHeld, hubLabels)).toBe(0);
    expect(scrape.value(Metrics.HubRenderErrors, hubLabels)).toBe(0);
    const lastGood = scrape.value(Metrics.HubLastSuccessfulSync, hubLabels) ?? 0;
    expect(Math.abs(Date.now() / 1000 - lastGood)).toBeLessThan(120);
    // A hub whose table does not exist: failing, and no good read to report.
    expect(scrape.value(Metrics.HubDatasourceUp, brokenLabels)).toBe(0);
    expect(scrape.value(Metrics.HubLastSuccessfulSync, brokenLabels)).toBeUndefined();
    // One replica holds both shards and the leader Lease.
    expect(scrape.find('lynq_shard_owned').map((x) => x.value)).toEqual([1, 1]);
    expect(scrape.value('leader_election_master_status', { name: 'lynq-monitoring' })).toBe(1);
  });

  it('the same check fails on a wrong metric name, a wrong label or a bare histogram name', async () => {
    const exported = exportedMetrics(await scrapeMetrics(operator.metricsUrl));
    const wrong: Query[] = parseQueries([
      { where: 'alert Typo', expr: 'max by (namespace, hub) (hub_readyy) > 0' },
      { where: 'alert WrongLabel', expr: 'hub_ready{hubb="x"} > 0' },
      { where: 'panel Bare', expr: 'rate(lynqnode_reconcile_duration_seconds[5m])' },
      { where: 'panel CounterBucket', expr: 'rate(apply_attempts_total_bucket[5m])' },
    ]);
    expect(checkQueries(wrong, exported)).toEqual([
      'alert Typo: hub_readyy is not a metric the operator exports',
      'alert WrongLabel: hub_ready has no label hubb (it has hub, namespace)',
      'panel Bare: lynqnode_reconcile_duration_seconds is a histogram: select lynqnode_reconcile_duration_seconds_bucket, _sum or _count',
      'panel CounterBucket: apply_attempts_total_bucket is not a metric the operator exports',
    ]);
    // One shipped alert with one metric renamed is caught among all the others.
    const renamed = shipped.queries.map((q) =>
      q.where === 'alert LynqHubDeletionsHeld'
        ? parseQueries([
            {
              where: q.where,
              expr: q.expr.replace('lynq_hub_deletions_held', 'lynq_hub_deletion_held'),
            },
          ])[0]!
        : q,
    );
    expect(checkQueries(renamed, exported)).toEqual([
      'alert LynqHubDeletionsHeld: lynq_hub_deletion_held is not a metric the operator exports',
    ]);
  });
});
