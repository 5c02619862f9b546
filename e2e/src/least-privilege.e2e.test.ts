// Least privilege, proven (issue 14): the operator runs under the identity the Helm chart gives it.
// The chart's ServiceAccount and RBAC objects are rendered with `helm template`, applied, and a
// token for that ServiceAccount (TokenRequest API) is all the operator gets. A hub reading its
// password from a Secret, a form with every namespaced built-in kind, a deactivated row, Retain and
// orphans, events and the leader Lease then work; a kind the role does not grant fails with the
// API server's words (verb, resource, identity) while everything else goes on; the kind added
// through rbac.extraRules makes the node Ready.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, loadAllYaml } from '@kubernetes/client-node';
import { Annotations, Labels, type TResourceInput } from '@lynq/api';
import { RestClient, resourceType, type KubeObject, type ResourceType } from '@lynq/runtime';
import { httpStatus, mysqlUrl, uniqueName } from '@lynq/testkit';
import {
  REPO_ROOT,
  Res,
  conditionOf,
  configMap,
  deployment,
  form,
  goTool,
  hub,
  installTestCrd,
  isStatus,
  job,
  manifest,
  mysqlSource,
  nodeName,
  useScenario,
  type OperatorProcess,
  type TestCrd,
} from './harness/index.js';
import { writeServiceAccountKubeconfig } from './harness/service-account-kubeconfig.js';

const s = useScenario({ name: 'rbac', operator: false });
const CHART = join(REPO_ROOT, 'deploy', 'helm', 'lynq');
const RELEASE = uniqueName('rbac');
const LEASE = uniqueName('e2e-rbac-lease');
const HUB = 'tenants';
const FORM = 'web';
const DENIED_FORM = 'denied';
/** The API group of the test CRD: a kind the chart's role does not grant. */
const WIDGET_GROUP = `${uniqueName('rbac').replaceAll('-', '')}.e2e.lynq.sh`;
const widgetRule = {
  apiGroups: [WIDGET_GROUP],
  resources: ['widgets'],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
};
const DB_USER = uniqueName('e2e_rbac', '_').slice(0, 32);
const DB_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const FIELD_MANAGER = 'e2e-least-privilege';
/** Shorter than the 15 s default, with client-go's ratios: a restarted operator leads sooner. */
const ELECTION_ARGS = ['--lease-duration=8s', '--renew-deadline=5s', '--retry-period=1s'];

const Rbac = {
  ClusterRole: resourceType('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: resourceType(
    'rbac.authorization.k8s.io/v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
  ),
  Role: resourceType('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  RoleBinding: resourceType('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
} as const;
/** What this test takes from the rendered chart: the identity and its permissions, nothing else. */
const IDENTITY_TYPES = new Map<string, ResourceType>([
  ['ServiceAccount', Res.ServiceAccount],
  ...Object.values(Rbac).map((t) => [t.kind, t] as [string, ResourceType]),
]);

const Kind = {
  StatefulSet: resourceType('apps/v1', 'StatefulSet', 'statefulsets'),
  DaemonSet: resourceType('apps/v1', 'DaemonSet', 'daemonsets'),
  Ingress: resourceType('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  NetworkPolicy: resourceType('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  PodDisruptionBudget: resourceType('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  HorizontalPodAutoscaler: resourceType(
    'autoscaling/v2',
    'HorizontalPodAutoscaler',
    'horizontalpodautoscalers',
  ),
  CronJob: resourceType('batch/v1', 'CronJob', 'cronjobs'),
  PersistentVolumeClaim: resourceType('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
} as const;

let workDir: string;
let serviceAccount: string;
/** `<fullname>-manager`: the operator's ClusterRole (or Role, namespace-scoped). */
let managerRole: string;
let saKubeconfig: string;
let operator: OperatorProcess;
let widgets: TestCrd;
/** Cluster-scoped objects this file created (deleted in cleanup: they outlive the namespace). */
const clusterScoped = new Map<string, { type: ResourceType; name: string }>();

/** `helm template` of the chart into the test namespace; only the identity objects are kept. */
function renderIdentity(values: Record<string, unknown>): KubeObject[] {
  const file = join(workDir, `values-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(values));
  const out = execFileSync(
    goTool('helm', 'helm'),
    ['template', RELEASE, CHART, '--namespace', s.namespace, '--values', file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: workDir } },
  );
  const docs = (loadAllYaml(out) as unknown[]).filter(
    (d): d is KubeObject =>
      typeof d === 'object' && d !== null && IDENTITY_TYPES.has(String((d as KubeObject).kind)),
  );
  if (!docs.some((d) => d.kind === 'ServiceAccount'))
    throw new Error('the chart rendered no ServiceAccount');
  return docs;
}

/** Server-side applies the rendered objects as the test's admin identity. */
async function applyIdentity(objects: readonly KubeObject[]): Promise<void> {
  for (const obj of objects) {
    const type = IDENTITY_TYPES.get(obj.kind ?? '');
    if (type === undefined) continue;
    const body = type.namespaced
      ? { ...obj, metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? s.namespace } }
      : obj;
    if (type.namespaced)
      expect(body.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).toBe(s.namespace);
    else
      clusterScoped.set(`${type.kind}/${obj.metadata.name}`, {
        type,
        name: obj.metadata.name ?? '',
      });
    await s.kube.apply(body, { fieldManager: FIELD_MANAGER, force: true, type });
  }
}

const named = (id: string, spec: Record<string, unknown>, policy = {}): TResourceInput =>
  manifest(id, spec, policy);

/** One resource of every namespaced built-in kind of a LynqForm's typed lists. */
function everyKindForm(configMaps: TResourceInput[]) {
  const app = '{{ .uid }}-app';
  const podTemplate = (labels: Record<string, string>) => ({
    metadata: { labels },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  });
  return form({
    name: FORM,
    namespace: s.namespace,
    hubId: HUB,
    serviceAccounts: [named('sa', { apiVersion: 'v1', kind: 'ServiceAccount' })],
    deployments: [deployment('app')],
    statefulSets: [
      named('db', {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        spec: {
          serviceName: '{{ .uid }}-db',
          replicas: 1,
          selector: { matchLabels: { app: '{{ .uid }}-db' } },
          template: podTemplate({ app: '{{ .uid }}-db' }),
        },
      }),
    ],
    // No node matches (no pods on the shared fake nodes), and a DaemonSet with nothing to
    // schedule is never ready (Lynq's rule): applied, not awaited.
    daemonSets: [
      named(
        'agent',
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          spec: {
            selector: { matchLabels: { app: '{{ .uid }}-agent' } },
            template: {
              ...podTemplate({ app: '{{ .uid }}-agent' }),
              spec: {
                nodeSelector: { 'lynq.sh/e2e-no-such-node': 'true' },
                containers: [{ name: 'agent', image: 'registry.example/agent:1' }],
              },
            },
          },
        },
        { waitForReady: false },
      ),
    ],
    services: [
      named('svc', {
        apiVersion: 'v1',
        kind: 'Service',
        spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
      }),
    ],
    // No ingress controller and no storage provisioner here: these are applied, not awaited.
    ingresses: [
      named(
        'web',
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          spec: {
            rules: [
              {
                host: '{{ .uid }}.example.test',
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: '{{ .uid }}-svc', port: { number: 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        },
        { waitForReady: false },
      ),
    ],
    configMaps,
    secrets: [
      named('token', { apiVersion: 'v1', kind: 'Secret', stringData: { token: 'not-a-secret' } }),
    ],
    persistentVolumeClaims: [
      named(
        'data',
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
        { waitForReady: false },
      ),
    ],
    jobs: [job('init')],
    cronJobs: [
      named('nightly', {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        spec: {
          schedule: '0 3 1 1 *',
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'Never',
                  containers: [{ name: 'run', image: 'registry.example/once:1' }],
                },
              },
            },
          },
        },
      }),
    ],
    podDisruptionBudgets: [
      named('pdb', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        spec: { minAvailable: 1, selector: { matchLabels: { app } } },
      }),
    ],
    networkPolicies: [
      named('deny', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'] },
      }),
    ],
    horizontalPodAutoscalers: [
      named(
        'hpa',
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
            minReplicas: 1,
            maxReplicas: 2,
          },
        },
        { waitForReady: false },
      ),
    ],
  });
}

/** Every object the form above makes for a row, by type and name. */
function objectsOf(uid: string): [ResourceType, string][] {
  return [
    [Res.ServiceAccount, `${uid}-sa`],
    [Res.Deployment, `${uid}-app`],
    [Kind.StatefulSet, `${uid}-db`],
    [Kind.DaemonSet, `${uid}-agent`],
    [Res.Service, `${uid}-svc`],
    [Kind.Ingress, `${uid}-web`],
    [Res.ConfigMap, `${uid}-settings`],
    [Res.Secret, `${uid}-token`],
    [Kind.PersistentVolumeClaim, `${uid}-data`],
    [Res.Job, `${uid}-init`],
    [Kind.CronJob, `${uid}-nightly`],
    [Kind.PodDisruptionBudget, `${uid}-pdb`],
    [Kind.NetworkPolicy, `${uid}-deny`],
    [Kind.HorizontalPodAutoscaler, `${uid}-hpa`],
  ];
}

const settings = configMap('settings', { owner: '{{ .uid }}' });
const retained = configMap('kept', { x: '1' }, { deletionPolicy: 'Retain' });
const extra = configMap('extra', { x: '1' });

interface Lease {
  spec?: { holderIdentity?: string | null };
}
interface Labelled {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'lynq-e2e-rbac-'));
  s.onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  s.onCleanup(async () => {
    for (const { type, name } of clusterScoped.values()) await s.kube.delete(type, name);
  });

  const identity = renderIdentity({});
  await applyIdentity(identity);
  serviceAccount =
    identity.find((o) => o.kind === 'ServiceAccount')?.metadata.name ??
    'unreachable: renderIdentity checked it';
  managerRole =
    identity.find((o) => o.kind === 'ClusterRole' && o.metadata.name?.endsWith('-manager'))
      ?.metadata.name ?? '(no manager ClusterRole rendered)';
  saKubeconfig = await writeServiceAccountKubeconfig(s.kube, s.namespace, serviceAccount, workDir);

  // A read-only database user whose password is in a Secret the operator must read.
  const user = `'${DB_USER}'@'%'`;
  await s.db.exec(`CREATE USER ${user} IDENTIFIED BY '${DB_PASSWORD}'`);
  s.onCleanup(() => s.db.exec(`DROP USER IF EXISTS ${user}`));
  const database = new URL(mysqlUrl()).pathname.slice(1);
  await s.db.exec(`GRANT SELECT ON ${s.db.ident(database)}.${s.db.ident(s.table)} TO ${user}`);
  await s.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-credentials', namespace: s.namespace },
    stringData: { password: DB_PASSWORD },
  });

  await s.db.insert(s.table, [
    { id: 'u1', active: '1', plan: 'basic', region: 'eu' },
    { id: 'u2', active: '1', plan: 'pro', region: 'us' },
  ]);
  const source = mysqlSource(s.table);
  if (source.mysql === undefined) throw new Error('mysqlSource without mysql');
  source.mysql.username = DB_USER;
  source.mysql.passwordRef = { name: 'db-credentials', key: 'password' };
  await s.create(hub({ name: HUB, namespace: s.namespace, source }));
  await s.create(everyKindForm([settings, retained, extra]));

  operator = await s.startOperator({
    kubeconfig: saKubeconfig,
    leaderElection: { namespace: s.namespace, id: LEASE },
    args: ELECTION_ARGS,
  });
});

describe('the operator under the chart ServiceAccount', () => {
  it('its kubeconfig carries the ServiceAccount token, which is not an administrator', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const client = new RestClient(kc, { timeoutMs: 20_000, userAgent: 'lynq-e2e-rbac' });
    try {
      const review = await client.request<{ status?: { userInfo?: { username?: string } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      expect(review.status?.userInfo?.username).toBe(
        `system:serviceaccount:${s.namespace}:${serviceAccount}`,
      );
      // Pods are nothing the operator touches: the chart grants nothing on them.
      const pods = await client.request({ path: `/api/v1/namespaces/${s.namespace}/pods` }).then(
        () => 'allowed',
        (err: unknown) => (isStatus(err, 403) ? 'forbidden' : String(err)),
      );
      expect(pods).toBe('forbidden');
    } finally {
      client.close();
    }
  });

  it('takes the leader Lease in the release namespace', async () => {
    const lease = await s.waitFor(
      async (note) => {
        const l = await s.kube.get<Lease>(Res.Lease, LEASE, s.namespace);
        note(l?.spec);
        return l?.spec?.holderIdentity ? l : undefined;
      },
      { what: `Lease ${LEASE} held`, timeoutMs: 60_000 },
    );
    expect(lease.spec?.holderIdentity).toBeTruthy();
  });

  it('reads the datasource password from its Secret; every built-in kind is created; nodes Ready', async () => {
    for (const uid of ['u1', 'u2']) {
      await s.nodeReady(nodeName(uid, FORM), 120_000);
      for (const [type, name] of objectsOf(uid)) await s.object(type, name);
    }
    const h = await s.hub(HUB);
    expect(conditionOf(h, 'Ready')?.status).toBe('True');
  });

  it('records events about the objects it reconciles', async () => {
    const [applied] = await s.event(
      { kind: 'LynqNode', name: nodeName('u1', FORM) },
      'TemplateAppliedSuccess',
    );
    expect(applied?.source?.component).toBe('lynqnode-controller');
    await s.event({ kind: 'LynqForm', name: FORM }, 'ValidationPassed');
  });

  it('a resource removed from the form is deleted (orphan, Delete policy)', async () => {
    await s.kube.mergePatch(Res.Form, FORM, s.namespace, {
      spec: { configMaps: [settings, retained] },
    });
    await s.gone(Res.ConfigMap, 'u1-extra');
    await s.event({ kind: 'LynqNode', name: nodeName('u1', FORM) }, 'OrphanedResourceDeleted');
  });

  it('a row deactivated: its node and objects go, a Retain object stays with orphan markers', async () => {
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = '0' WHERE id = 'u2'`);
    await s.gone(Res.Node, nodeName('u2', FORM), { timeoutMs: 90_000 });
    for (const [type, name] of objectsOf('u2')) await s.gone(type, name);
    const kept = await s.kube.mustGet<Labelled>(Res.ConfigMap, 'u2-kept', s.namespace);
    expect(kept.metadata.labels?.[Labels.Orphaned]).toBe('true');
    expect(kept.metadata.annotations?.[Annotations.OrphanedReason]).toBeTruthy();
    await s.event({ kind: 'ConfigMap', name: 'u2-kept' }, 'OrphanMarkersAdded');
    // The other row's node is untouched.
    expect(conditionOf(await s.node(nodeName('u1', FORM)), 'Ready')?.status).toBe('True');
  });
});

describe('a kind the role does not grant', () => {
  const group = WIDGET_GROUP;
  const denied = nodeName('u1', DENIED_FORM);

  beforeAll(async () => {
    widgets = await installTestCrd(s.kube, { group, kind: 'Widget', plural: 'widgets' });
    s.onCleanup(() => widgets.remove());
    await s.create(
      form({
        name: DENIED_FORM,
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [configMap('beside', { x: '1' })],
        manifests: [
          manifest('widget', { apiVersion: `${group}/v1`, kind: 'Widget', spec: { size: 1 } }),
        ],
      }),
    );
  });

  it('fails with the API server’s words: verb, resource, group and identity', async () => {
    const [event] = await s.event({ kind: 'LynqNode', name: denied }, 'ApplyFailed', {
      messageIncludes: 'forbidden',
    });
    const message = event?.message ?? '';
    expect(message).toContain('Failed to apply resource widget');
    expect(message).toMatch(
      new RegExp(
        `cannot (get|list|watch|create|patch|update) resource "widgets" in API group "${group.replaceAll('.', '\\.')}"`,
      ),
    );
    expect(message).toContain(`system:serviceaccount:${s.namespace}:${serviceAccount}`);
    const node = await s.node(denied);
    expect(conditionOf(node, 'Ready')?.status).toBe('False');
    expect(node?.status?.failedResources).toBe(1);
  });

  it('nothing else breaks: the same node’s other resource, the other nodes, the hub, readiness', async () => {
    await s.object(Res.ConfigMap, 'u1-beside');
    expect(conditionOf(await s.node(nodeName('u1', FORM)), 'Ready')?.status).toBe('True');
    expect(conditionOf(await s.hub(HUB), 'Ready')?.status).toBe('True');
    expect(await httpStatus(`${operator.healthUrl}/readyz`)).toBe(200);
    expect(await httpStatus(`${operator.healthUrl}/healthz`)).toBe(200);
    expect(operator.exitStatus()).toBeUndefined();
  });

  it('granted through rbac.extraRules (re-rendered, re-applied): the node becomes Ready', async () => {
    const identity = renderIdentity({ rbac: { extraRules: [widgetRule] } });
    const role = identity.find(
      (o) => o.kind === 'ClusterRole' && JSON.stringify(o['rules']).includes(group),
    );
    expect(role, 'a ClusterRole with the extra rule').toBeDefined();
    await applyIdentity(identity);
    await s.nodeReady(denied, 120_000);
    await s.object(widgets.type, 'u1-widget');
  });
});

describe('scoped to one namespace (manager.watchNamespace): a Role instead of the ClusterRole', () => {
  it('an operator holding only the Role and RoleBinding serves a new row', async () => {
    const scoped = renderIdentity({
      manager: { watchNamespace: s.namespace },
      rbac: { extraRules: [widgetRule] },
    });
    const kinds = new Set(scoped.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(kinds.has(`Role/${managerRole}`), `Role ${managerRole}`).toBe(true);
    expect(kinds.has(`RoleBinding/${managerRole}`), `RoleBinding ${managerRole}`).toBe(true);
    expect(kinds.has(`ClusterRole/${managerRole}`)).toBe(false);
    await applyIdentity(scoped);
    // The cluster-wide grant of the default render goes: from now on only the Role speaks.
    await s.kube.delete(Rbac.ClusterRoleBinding, managerRole);
    await s.kube.delete(Rbac.ClusterRole, managerRole);
    // A new process: open watches were authorized when they started.
    await operator.stop();
    operator = await s.startOperator({
      kubeconfig: saKubeconfig,
      leaderElection: { namespace: s.namespace, id: LEASE },
      args: ELECTION_ARGS,
      name: 'operator-scoped',
    });
    await s.db.insert(s.table, [{ id: 'u3', active: '1', plan: 'basic', region: 'eu' }]);
    await s.nodeReady(nodeName('u3', FORM), 120_000);
    for (const [type, name] of objectsOf('u3')) await s.object(type, name);
    await s.nodeReady(nodeName('u1', DENIED_FORM));
    expect(conditionOf(await s.hub(HUB), 'Ready')?.status).toBe('True');
  });
});

describe('the chart’s roles hold no wildcard', () => {
  it('no rule grants "*" verbs, resources or API groups unless rbac.extraRules says so', () => {
    const rules = renderIdentity({})
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) =>
        ((o['rules'] as Record<string, string[]>[] | undefined) ?? []).map((r) => ({
          role: o.metadata.name,
          ...r,
        })),
      );
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules)
      for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const)
        expect(
          (rule as Record<string, unknown>)[field] ?? [],
          `${rule.role} ${field}`,
        ).not.toContain('*');
  });
});
