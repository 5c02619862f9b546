// Readiness per kind (Lynq e2e "readiness" group, reference §3.7): a Deployment becomes ready when
// kwok's pods make it Available, a Job when it completes, a Service at once, and a custom resource
// by its readyWhen (CEL) or, without one, by its Ready/Available conditions.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '@lynq/api';
import { uniqueName } from '@lynq/testkit';
import type { ResourceType } from '@lynq/runtime';
import {
  Res,
  conditionOf,
  configMap,
  deployment,
  form,
  hub,
  installTestCrd,
  job,
  manifest,
  mysqlSource,
  nodeName,
  useScenario,
  type Condition,
} from './harness/index.js';

const s = useScenario({ name: 'ready' });
const HUB = 'ready';
const UID = 'r1';
let Widget: ResourceType;

interface Workload {
  metadata: { annotations?: Record<string, string> };
  status?: {
    availableReplicas?: number;
    readyReplicas?: number;
    succeeded?: number;
    conditions?: Condition[];
  };
}

beforeAll(async () => {
  const crd = await installTestCrd(s.kube, {
    group: `${uniqueName('ready')}.lynq.test`,
    kind: 'Widget',
    plural: 'widgets',
  });
  s.onCleanup(() => crd.remove());
  Widget = crd.type;
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'x', region: 'y' }]);
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  await s.create(
    form({
      name: 'workloads',
      namespace: s.namespace,
      hubId: HUB,
      deployments: [deployment('web', { replicas: 2 }, { timeoutSeconds: 120 })],
      services: [
        manifest('svc', {
          apiVersion: 'v1',
          kind: 'Service',
          spec: { selector: { app: '{{ .uid }}-web' }, ports: [{ port: 80, targetPort: 8080 }] },
        }),
      ],
      jobs: [job('migrate', { timeoutSeconds: 120 })],
      configMaps: [
        configMap('after-web', { x: '1' }, { dependIds: ['web'] }),
        configMap('after-job', { x: '1' }, { dependIds: ['migrate'] }),
        configMap('after-svc', { x: '1' }, { dependIds: ['svc'] }),
      ],
    }),
  );
  await s.create(
    form({
      name: 'custom',
      namespace: s.namespace,
      hubId: HUB,
      manifests: [
        manifest(
          'widget-cel',
          { apiVersion: Widget.apiVersion, kind: 'Widget', spec: { size: 1 } },
          { readyWhen: ["has(self.status) && self.status.phase == 'Running'"] },
        ),
        manifest('widget-cond', {
          apiVersion: Widget.apiVersion,
          kind: 'Widget',
          spec: { size: 2 },
        }),
      ],
    }),
  );
});

const condTime = (c: Condition | undefined) => Date.parse(c?.lastTransitionTime ?? '');

describe('readiness per kind', () => {
  it('a Deployment is ready once kwok’s pods make it Available; only then is its dependent applied', async () => {
    const after = await s.object<Workload>(Res.ConfigMap, `${UID}-after-web`, {
      timeoutMs: 90_000,
    });
    const d = await s.kube.mustGet<Workload>(Res.Deployment, `${UID}-web`, s.namespace);
    expect(d.status?.availableReplicas).toBe(2);
    const available = conditionOf(d, 'Available');
    expect(available?.status).toBe('True');
    // Condition times have second precision: the dependent started no earlier than that second.
    const appliedAt = Date.parse(after.metadata.annotations?.[Annotations.ApplyStartTime] ?? '');
    expect(appliedAt).toBeGreaterThanOrEqual(condTime(available));
  });

  it('a Job is ready once Complete; a Service at once', async () => {
    await s.object(Res.ConfigMap, `${UID}-after-job`, { timeoutMs: 90_000 });
    const j = await s.kube.mustGet<Workload>(Res.Job, `${UID}-migrate`, s.namespace);
    expect(conditionOf(j, 'Complete')?.status).toBe('True');
    await s.object(Res.ConfigMap, `${UID}-after-svc`);
    const node = await s.nodeReady(nodeName(UID, 'workloads'), 60_000);
    expect(node.status).toMatchObject({ readyResources: 6, desiredResources: 6 });
  });

  it('a custom resource: readyWhen decides for one, Ready/Available conditions for the other, and status changes are seen', async () => {
    const name = nodeName(UID, 'custom');
    const readyCount = (want: number, what: string) =>
      s.waitFor(
        async (note) => {
          const n = await s.node(name);
          note(n?.status);
          return n?.status?.readyResources === want && n.status.desiredResources === 2
            ? n
            : undefined;
        },
        { what: `LynqNode ${name}: ${what} (${want}/2 ready)`, timeoutMs: 20_000 },
      );
    // No status at all: the CEL expression is not true yet; no conditions means ready.
    const first = await readyCount(1, 'widget-cond ready without conditions, widget-cel waiting');
    expect(conditionOf(first, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NotAllResourcesReady',
    });

    const setStatus = (id: string, status: unknown) =>
      s.kube.mergePatch(Widget, `${UID}-${id}`, s.namespace, { status }, { status: true });
    await setStatus('widget-cond', {
      conditions: [{ type: 'Ready', status: 'False', reason: 'Warming' }],
    });
    await readyCount(0, 'widget-cond Ready=False');
    await setStatus('widget-cel', { phase: 'Pending' });
    await setStatus('widget-cel', { phase: 'Running' });
    await readyCount(1, 'widget-cel Running');
    await setStatus('widget-cond', {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Warm' }],
    });
    const node = await s.nodeReady(name, 20_000);
    expect(node.status).toMatchObject({ readyResources: 2, desiredResources: 2 });
  });
});
