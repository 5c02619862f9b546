// Metrics and probes (reference §8, §9; Lynq e2e "metrics" group): /metrics serves Lynq's metric
// names with its label order, controller-runtime's reconcile counter and workqueue gauges;
// /healthz and /readyz answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '@lynq/api';
import {
  configMap,
  form,
  httpGet,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  useScenario,
  type Scrape,
} from './harness/index.js';

const s = useScenario({ name: 'metrics' });
const HUB = 'mhub';
const UIDS = ['m1', 'm2'];

beforeAll(async () => {
  await s.db.insert(
    s.table,
    UIDS.map((id) => ({ id, active: '1', plan: 'x', region: 'y' })),
  );
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
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
  for (const uid of UIDS) for (const f of ['web', 'paced']) await s.nodeReady(nodeName(uid, f));
});

/** Scrapes until `ok` holds (gauges follow status with a short delay) and returns that scrape. */
function scrapeUntil(what: string, ok: (m: Scrape) => boolean): Promise<Scrape> {
  return s.waitFor(
    async (note) => {
      const m = await scrapeMetrics(s.operator.metricsUrl);
      note(
        m.samples
          .filter((x) => !x.name.startsWith('nodejs_') && !x.name.startsWith('process_'))
          .slice(0, 80),
      );
      return ok(m) ? m : undefined;
    },
    { what, timeoutMs: 30_000, intervalMs: 500 },
  );
}

describe('metrics', () => {
  it('node gauges with Lynq’s names and label order (lynqnode, namespace[, type])', async () => {
    const node = nodeName('m1', 'web');
    const want = { lynqnode: node, namespace: s.namespace };
    const m = await scrapeUntil(
      'lynqnode gauges of m1-web',
      (x) => x.value(Metrics.NodeResourcesReady, want) === 1,
    );
    expect(m.value(Metrics.NodeResourcesDesired, want)).toBe(1);
    expect(m.value(Metrics.NodeResourcesFailed, want)).toBe(0);
    expect(m.value(Metrics.NodeResourcesConflicted, want)).toBe(0);
    expect(m.value(Metrics.NodeConditionStatus, { ...want, type: 'Ready' })).toBe(1);
    // Lynq's e2e matches these lines with regexes that fix the label order.
    const esc = s.namespace.replaceAll('-', '\\-');
    expect(m.text).toMatch(
      new RegExp(
        `^lynqnode_condition_status\\{lynqnode="${node}",namespace="${esc}",type="Ready"\\} 1$`,
        'm',
      ),
    );
    expect(m.text).toMatch(
      new RegExp(`^lynqnode_resources_ready\\{lynqnode="${node}",namespace="${esc}"\\} 1$`, 'm'),
    );
    for (const name of [
      Metrics.NodeResourcesReady,
      Metrics.NodeResourcesDesired,
      Metrics.NodeConditionStatus,
    ])
      expect(m.types.get(name)).toBe('gauge');
  });

  it('hub gauges, apply counter and reconcile histogram', async () => {
    const hubLabels = { hub: HUB, namespace: s.namespace };
    const m = await scrapeUntil('hub_ready 4', (x) => x.value(Metrics.HubReady, hubLabels) === 4);
    expect(m.value(Metrics.HubDesired, hubLabels)).toBe(4);
    expect(m.value(Metrics.HubFailed, hubLabels)).toBe(0);
    expect(m.find(Metrics.HubDesired)[0]?.labels.map(([k]) => k)).toEqual(['hub', 'namespace']);

    const applies = m.find(Metrics.ApplyAttemptsTotal, {
      kind: 'ConfigMap',
      result: 'success',
      conflict_policy: 'Stuck',
    });
    expect(applies.reduce((n, x) => n + x.value, 0)).toBeGreaterThanOrEqual(4);
    expect(m.types.get(Metrics.ApplyAttemptsTotal)).toBe('counter');

    expect(m.types.get(Metrics.NodeReconcileDuration)).toBe('histogram');
    const counts = m.find(`${Metrics.NodeReconcileDuration}_count`);
    expect(counts.reduce((n, x) => n + x.value, 0)).toBeGreaterThan(0);
    expect(counts.every((x) => x.labels.some(([k]) => k === 'result'))).toBe(true);
    const buckets = m
      .find(`${Metrics.NodeReconcileDuration}_bucket`)
      .map((x) => x.labels.find(([k]) => k === 'le')?.[1]);
    for (const le of ['0.1', '0.5', '1', '2', '5', '10', '30', '60', '+Inf'])
      expect(buckets).toContain(le);
  });

  it('rollout gauges only for forms with maxSkew', async () => {
    const m = await scrapeUntil(
      'lynqform_rollout_phase of paced is Complete (3)',
      (x) => x.value(Metrics.FormRolloutPhase, { form: 'paced', namespace: s.namespace }) === 3,
    );
    expect(m.value(Metrics.FormRolloutProgress, { form: 'paced', namespace: s.namespace })).toBe(
      100,
    );
    expect(
      m.value(Metrics.FormRolloutUpdatingNodes, { form: 'paced', namespace: s.namespace }),
    ).toBe(0);
    expect(m.find(Metrics.FormRolloutPhase, { form: 'web' })).toEqual([]);
  });

  it('controller-runtime’s reconcile counter and workqueue gauges, per controller', async () => {
    const m = await scrapeMetrics(s.operator.metricsUrl);
    for (const controller of ['lynqhub', 'lynqform', 'lynqnode']) {
      // controller-runtime's result values: a reconcile that asks to come back later (the hub,
      // every syncInterval) counts as requeue_after, not success.
      const ok = m
        .find('controller_runtime_reconcile_total', { controller })
        .filter((x) =>
          x.labels.some(
            ([k, v]) => k === 'result' && ['success', 'requeue', 'requeue_after'].includes(v),
          ),
        );
      expect(
        ok.reduce((n, x) => n + x.value, 0),
        `${controller} reconciles without error`,
      ).toBeGreaterThan(0);
      for (const x of m.find('controller_runtime_reconcile_total', { controller }))
        expect(['success', 'error', 'requeue', 'requeue_after']).toContain(
          x.labels.find(([k]) => k === 'result')?.[1],
        );
      expect(
        m.find('workqueue_depth', { name: controller }),
        `workqueue_depth{name="${controller}"}`,
      ).toHaveLength(1);
    }
  });

  it('/healthz and /readyz answer 200', async () => {
    expect((await httpGet(`${s.operator.healthUrl}/healthz`)).status).toBe(200);
    expect((await httpGet(`${s.operator.healthUrl}/readyz`)).status).toBe(200);
  });
});
