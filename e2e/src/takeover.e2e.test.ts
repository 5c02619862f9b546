// Taking over a cluster from the Go operator (docs/migration.md): the hub, form, LynqNodes and
// managed objects are prepared with plain API calls exactly as the Go operator leaves them (node
// labels, annotations, finalizer and status with `appliedResources` in `Kind/namespace/name@id`
// form; managed objects applied by Server-Side Apply as `lynq-operator`, with the
// `lynq.sh/applied-hash` the Go operator computes, from the Go oracle in packages/apply/hash-oracle,
// and ownerReferences to the nodes). Then our operator starts: every object keeps its uid, no
// Deployment generation moves, objects whose Go hash matches ours are not written at all, the
// others exactly once, and the nodes become Ready under our operator.
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  Annotations,
  FIELD_MANAGER,
  Finalizers,
  Kinds,
  Labels,
  RESOURCE_LIST_KEYS,
  type LynqForm,
  type LynqHub,
  type LynqNode,
  type TResource,
} from '@lynq/api';
import { resourcePath, type KubeObject, type ResourceType } from '@lynq/runtime';
import { goAppliedHash } from '@lynq/testkit';
import {
  Res,
  conditionOf,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'takeover', operator: false });
const HUB = 'gohub';
const FORM = 'web';
const ROWS = [
  { id: 'acme', active: '1', plan: 'gold', region: 'eu' },
  { id: 'globex', active: '1', plan: 'silver', region: 'us' },
];
const GO_START_TIME = '2026-07-01T10:00:00.123456789Z';

// ---- the form, and what the Go operator renders from it (reference §3.3 renderResource, §5) ----

/** Go's webhook stores every policy default on the form (reference §2). */
const POLICY = {
  creationPolicy: 'WhenNeeded',
  deletionPolicy: 'Delete',
  conflictPolicy: 'Stuck',
  patchStrategy: 'apply',
  waitForReady: true,
  timeoutSeconds: 300,
  skipOnDependencyFailure: true,
} as const;

type Row = (typeof ROWS)[number];

interface Managed {
  id: string;
  type: ResourceType;
  /** Our desired object equals Go's (same hash: no write); otherwise exactly one write. */
  sameAsGo: boolean;
  /** The object as Go's renderer builds it for a row (before tracking metadata). */
  render(row: Row): KubeObject;
  deletionPolicy: 'Delete' | 'Retain';
}

const MANAGED: Managed[] = [
  {
    id: 'cfg',
    type: Res.ConfigMap,
    sameAsGo: true,
    deletionPolicy: 'Delete',
    render: (row) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${row.id}-cfg` },
      data: { plan: row.plan, note: `<b>${row.id}</b> & co \u2028 😀` },
    }),
  },
  {
    id: 'kept',
    type: Res.ConfigMap,
    sameAsGo: true,
    deletionPolicy: 'Retain',
    render: (row) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${row.id}-kept` },
      data: { region: row.region },
    }),
  },
  {
    // labelsTemplate replaces the template's own labels in Go (compatibility.md, quirk 10); ours
    // merges them: the one object here whose desired state differs, so it gets one write.
    id: 'labelled',
    type: Res.ConfigMap,
    sameAsGo: false,
    deletionPolicy: 'Delete',
    render: (row) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${row.id}-labelled`, labels: { tier: row.plan } },
      data: { a: '1' },
    }),
  },
  {
    id: 'svc',
    type: Res.Service,
    sameAsGo: true,
    deletionPolicy: 'Delete',
    render: (row) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${row.id}-svc` },
      spec: {
        selector: { app: `${row.id}-web` },
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    }),
  },
  {
    id: 'web',
    type: Res.Deployment,
    sameAsGo: true,
    deletionPolicy: 'Delete',
    render: (row) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${row.id}-web`, labels: { app: `${row.id}-web` } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: `${row.id}-web` } },
        template: {
          metadata: { labels: { app: `${row.id}-web` } },
          spec: {
            containers: [
              { name: 'app', image: 'registry.example/app:1', ports: [{ containerPort: 8080 }] },
            ],
          },
        },
      },
    }),
  },
];

function formSpec() {
  const resource = (id: string, spec: Record<string, unknown>, extra: Partial<TResource> = {}) => ({
    id,
    nameTemplate: `{{ .uid }}-${id}`,
    ...POLICY,
    ...extra,
    spec,
  });
  return {
    configMaps: [
      resource('cfg', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: { plan: '{{ .plan }}', note: '<b>{{ .uid }}</b> & co \u2028 😀' },
      }),
      resource(
        'kept',
        { apiVersion: 'v1', kind: 'ConfigMap', data: { region: '{{ .region }}' } },
        { deletionPolicy: 'Retain' },
      ),
      resource(
        'labelled',
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { labels: { team: 'core' } },
          data: { a: '1' },
        },
        { labelsTemplate: { tier: '{{ .plan }}' } },
      ),
    ],
    services: [
      resource('svc', {
        apiVersion: 'v1',
        kind: 'Service',
        spec: {
          selector: { app: '{{ .uid }}-web' },
          ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      }),
    ],
    deployments: [
      resource(
        'web',
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: '{{ .uid }}-web' } },
            template: {
              metadata: { labels: { app: '{{ .uid }}-web' } },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'registry.example/app:1',
                    ports: [{ containerPort: 8080 }],
                  },
                ],
              },
            },
          },
        },
        { labelsTemplate: { app: '{{ .uid }}-web' } },
      ),
    ],
  };
}

/** The node spec Go's hub writes: the form's resources with the hub-rendered templates. */
function goNodeSpec(storedForm: LynqForm, row: Row): Record<string, unknown> {
  const spec: Record<string, unknown> = { uid: row.id, templateRef: FORM };
  const render = (text: string) =>
    text.replaceAll('{{ .uid }}', row.id).replaceAll('{{ .plan }}', row.plan);
  for (const key of RESOURCE_LIST_KEYS) {
    const list = storedForm.spec[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    spec[key] = list.map((r: TResource) => ({
      ...r,
      ...(r.nameTemplate !== undefined ? { nameTemplate: render(r.nameTemplate) } : {}),
      ...(r.labelsTemplate !== undefined
        ? {
            labelsTemplate: Object.fromEntries(
              Object.entries(r.labelsTemplate).map(([k, v]) => [k, render(v)]),
            ),
          }
        : {}),
    }));
  }
  return spec;
}

/** Go's desired object: rendered, deletion-policy annotation, then ownerReference or labels. */
function goDesired(m: Managed, row: Row, node: LynqNode): KubeObject {
  const rendered = m.render(row);
  const metadata: KubeObject['metadata'] = {
    ...rendered.metadata,
    namespace: s.namespace,
    annotations: { [Annotations.DeletionPolicy]: m.deletionPolicy },
  };
  if (m.deletionPolicy === 'Retain') {
    metadata.labels = {
      ...metadata.labels,
      [Labels.Node]: node.metadata.name ?? '',
      [Labels.NodeNamespace]: s.namespace,
    };
  } else {
    metadata.ownerReferences = [
      {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        name: node.metadata.name ?? '',
        uid: node.metadata.uid ?? '',
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return { ...rendered, metadata };
}

// ---- watching writes -----------------------------------------------------------------------------

interface Live extends KubeObject {
  metadata: KubeObject['metadata'] & {
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; time?: string; fieldsV1?: unknown }[];
  };
  status?: { availableReplicas?: number; observedGeneration?: number };
}

/** Everything a write of ours could change (not status, not the Deployment controller's revision). */
function fingerprint(obj: Live): string {
  const { status: _status, metadata, ...body } = obj;
  const annotations = { ...metadata.annotations };
  delete annotations['deployment.kubernetes.io/revision'];
  return JSON.stringify({
    labels: metadata.labels,
    annotations,
    ownerReferences: metadata.ownerReferences,
    generation: metadata.generation,
    ours: metadata.managedFields?.find((f) => f.manager === FIELD_MANAGER),
    body,
  });
}

/** Counts, per object name, the events that changed its fingerprint (our writes), and deletions. */
class WriteCounter {
  readonly writes = new Map<string, number>();
  readonly deleted = new Set<string>();
  readonly added = new Set<string>();
  private readonly last = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly done: Promise<void>[] = [];

  constructor(private readonly tracked: ReadonlyMap<string, Live>) {
    for (const [key, obj] of tracked) this.last.set(key, fingerprint(obj));
  }

  async watch(type: ResourceType, fromResourceVersion: string): Promise<void> {
    const res = await s.kube.rest.stream({
      path: resourcePath(type, s.namespace),
      query: { watch: 'true', resourceVersion: fromResourceVersion },
      signal: this.abort.signal,
      timeoutMs: 0,
    });
    const lines = createInterface({ input: res });
    this.done.push(
      (async () => {
        try {
          for await (const line of lines) {
            const event = JSON.parse(line) as { type: string; object: Live };
            const key = `${type.kind}/${event.object.metadata.name ?? ''}`;
            if (!this.tracked.has(key)) continue;
            if (event.type === 'DELETED') this.deleted.add(key);
            if (event.type === 'ADDED') this.added.add(key);
            if (event.type !== 'MODIFIED') continue;
            const now = fingerprint(event.object);
            if (now !== this.last.get(key)) this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
            this.last.set(key, now);
          }
        } catch {
          // the stream ends when the counter is stopped
        }
      })(),
    );
  }

  count(key: string): number {
    return this.writes.get(key) ?? 0;
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('write counter stopped'));
    await Promise.all(this.done);
  }
}

// ---- the scenario --------------------------------------------------------------------------------

const before = new Map<string, Live>();
const goHashes = new Map<string, string>();
const nodeUids = new Map<string, string>();
let counter: WriteCounter | undefined;

const keyOf = (m: Managed, row: Row) => `${m.type.kind}/${row.id}-${m.id}`;

beforeAll(async () => {
  // Go's hub and form, with the finalizer the Go hub adds.
  await s.db.insert(s.table, ROWS);
  const createdHub = await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s' }),
      extraValueMappings: { plan: 'plan', region: 'region' },
    }),
  );
  await s.kube.mergePatch(Res.Hub, HUB, s.namespace, {
    metadata: { finalizers: [Finalizers.Hub] },
  });
  await s.create(form({ name: FORM, namespace: s.namespace, hubId: HUB, ...formSpec() }));
  const storedForm = await s.kube.mustGet<LynqForm>(Res.Form, FORM, s.namespace);
  const storedHub = createdHub as unknown as LynqHub;

  for (const row of ROWS) {
    const name = nodeName(row.id, FORM);
    // The LynqNode as Go's hub creates it (reference §1.7) and Go's node controller finalises it.
    const node = await s.create<LynqNode>({
      apiVersion: API_VERSION,
      kind: Kinds.Node,
      metadata: {
        name,
        namespace: s.namespace,
        labels: { [Labels.Hub]: HUB, [Labels.Uid]: row.id },
        annotations: {
          [Annotations.HostOrUrl]: '',
          [Annotations.Activate]: row.active,
          [Annotations.Extra]: JSON.stringify({ plan: row.plan, region: row.region }),
          [Annotations.TemplateGeneration]: String(storedForm.metadata.generation ?? 1),
          [Annotations.HubId]: HUB,
          [Annotations.RolloutUpdateStart]: '2026-07-01T09:59:58Z',
        },
        ownerReferences: [
          {
            apiVersion: API_VERSION,
            kind: Kinds.Hub,
            name: HUB,
            uid: storedHub.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: [Finalizers.Node],
      },
      spec: goNodeSpec(storedForm, row) as LynqNode['spec'],
    });
    nodeUids.set(name, node.metadata.uid ?? '');

    // The managed objects as Go's applier leaves them: one SSA by lynq-operator, hash included.
    const applied: string[] = [];
    for (const m of MANAGED) {
      const desired = goDesired(m, row, node);
      const hash = goAppliedHash(desired);
      goHashes.set(keyOf(m, row), hash);
      await s.kube.apply(
        {
          ...desired,
          metadata: {
            ...desired.metadata,
            annotations: {
              ...desired.metadata.annotations,
              [Annotations.AppliedHash]: hash,
              [Annotations.ApplyStartTime]: GO_START_TIME,
            },
          },
        },
        { fieldManager: FIELD_MANAGER, force: true, type: m.type },
      );
      applied.push(`${m.type.kind}/${s.namespace}/${row.id}-${m.id}@${m.id}`);
    }

    // Go's node status after a successful reconcile (reference §1.5, §3.3 step 6).
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastTransitionTime: now,
    });
    await s.kube.mergePatch(
      Res.Node,
      name,
      s.namespace,
      {
        status: {
          observedGeneration: node.metadata.generation ?? 1,
          desiredResources: MANAGED.length,
          readyResources: MANAGED.length,
          failedResources: 0,
          appliedResources: applied,
          lastFullReconcileAt: now,
          conditions: [
            condition('Ready', 'True', 'Reconciled', 'Successfully reconciled all resources'),
            condition('Progressing', 'False', 'ReconcileComplete', 'Reconciliation completed'),
            condition('Conflicted', 'False', 'NoConflict', 'No resource conflicts detected'),
            condition('Degraded', 'False', 'Healthy', 'All resources are healthy'),
          ],
        },
      },
      { status: true },
    );
  }

  // The Deployments settle (kwok makes their pods ready) before the takeover starts.
  for (const row of ROWS) {
    await s.waitFor(
      async (note) => {
        const d = await s.kube.get<Live>(Res.Deployment, `${row.id}-web`, s.namespace);
        note(d?.status);
        return (
          d !== undefined &&
          (d.status?.availableReplicas ?? 0) >= 1 &&
          d.status?.observedGeneration === d.metadata.generation
        );
      },
      { what: `Deployment ${row.id}-web available`, timeoutMs: 60_000 },
    );
  }

  // What the Go operator left, then watch every change from here on.
  const listVersion = new Map<ResourceType, string>();
  for (const type of [Res.ConfigMap, Res.Service, Res.Deployment]) {
    const list = await s.kube.rest.request<{ metadata?: { resourceVersion?: string } }>({
      path: resourcePath(type, s.namespace),
    });
    listVersion.set(type, list.metadata?.resourceVersion ?? '');
  }
  for (const row of ROWS)
    for (const m of MANAGED)
      before.set(
        keyOf(m, row),
        await s.kube.mustGet<Live>(m.type, `${row.id}-${m.id}`, s.namespace),
      );
  counter = new WriteCounter(before);
  for (const [type, rv] of listVersion) await counter.watch(type, rv);

  await s.startOperator();
}, 240_000);

afterAll(async () => {
  await counter?.stop();
});

describe('taking over from the Go operator', () => {
  it('our operator reconciles every node to Ready', async () => {
    for (const row of ROWS) {
      const name = nodeName(row.id, FORM);
      // appliedResourceRefs is ours (the Go operator never writes it): our status is in place.
      await s.waitFor(
        async (note) => {
          const node = await s.node(name);
          note(node?.status);
          return (
            node !== undefined &&
            conditionOf(node, 'Ready')?.status === 'True' &&
            (node.status?.appliedResourceRefs?.length ?? 0) === MANAGED.length
          );
        },
        { what: `LynqNode ${name} Ready under our operator`, timeoutMs: 90_000 },
      );
      const node = await s.kube.mustGet<LynqNode>(Res.Node, name, s.namespace);
      expect(node.metadata.uid, `${name} kept its uid`).toBe(nodeUids.get(name));
      expect(node.status?.appliedResources ?? []).toEqual(
        expect.arrayContaining(
          MANAGED.map((m) => `${m.type.kind}/${s.namespace}/${row.id}-${m.id}@${m.id}`),
        ),
      );
    }
  });

  it('writes each object whose desired state differs from Go’s once, and nothing else', async () => {
    // The differing objects get their one write; then every node is reconciled again.
    for (const row of ROWS)
      for (const m of MANAGED.filter((x) => !x.sameAsGo))
        await s.waitFor(
          (note) => {
            note(counter?.writes);
            return (counter?.count(keyOf(m, row)) ?? 0) >= 1;
          },
          { what: `the one write of ${keyOf(m, row)}`, timeoutMs: 60_000 },
        );
    for (const row of ROWS)
      await s.kube.mergePatch(Res.Node, nodeName(row.id, FORM), s.namespace, {
        metadata: { annotations: { 'e2e.lynq.sh/poke': '1' } },
      });
    await s.holdsFor(
      () =>
        [...before.keys()].every(
          (key) => (counter?.count(key) ?? 0) <= 1 && !counter?.deleted.has(key),
        ),
      { what: 'at most one write per managed object, none deleted', durationMs: 10_000 },
    );

    for (const row of ROWS) {
      for (const m of MANAGED) {
        const key = keyOf(m, row);
        const was = before.get(key)!;
        const live = await s.kube.mustGet<Live>(m.type, `${row.id}-${m.id}`, s.namespace);
        expect(live.metadata.uid, `${key} kept its uid`).toBe(was.metadata.uid);
        expect(counter?.deleted.has(key) || counter?.added.has(key), `${key} recreated`).toBe(
          false,
        );
        expect(live.metadata.generation, `${key} generation`).toBe(was.metadata.generation);
        const annotations = live.metadata.annotations ?? {};
        if (m.sameAsGo) {
          expect(counter?.count(key), `${key}: writes`).toBe(0);
          expect(annotations[Annotations.AppliedHash], `${key}: Go's hash kept`).toBe(
            goHashes.get(key),
          );
          expect(annotations[Annotations.ApplyStartTime]).toBe(GO_START_TIME);
          expect(fingerprint(live), `${key}: unchanged`).toBe(fingerprint(was));
          if (m.type !== Res.Deployment)
            expect(live.metadata.resourceVersion, `${key}: resourceVersion`).toBe(
              was.metadata.resourceVersion,
            );
        } else {
          expect(counter?.count(key), `${key}: writes`).toBe(1);
          expect(annotations[Annotations.AppliedHash]).not.toBe(goHashes.get(key));
          expect(live.metadata.labels).toEqual({ team: 'core', tier: row.plan });
        }
      }
    }
  });
});
