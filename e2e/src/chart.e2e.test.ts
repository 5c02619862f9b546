// What a user installs (issue 14): the Helm chart deploy/helm/lynq and the kustomize files of
// deploy/kustomize, with the real tools (helm and kustomize built from their Go modules).
// - `helm lint`, plain and --strict with every option on; the values schema stops typos.
// - `helm template` for the value sets a user picks, and what renders: the restricted Pod Security
//   Standard, the operator's flags, the webhooks of reference §2, certificates, CRDs equal to
//   deploy/crds, no wildcard in RBAC outside rbac.extraRules, monitoring objects wrapping the files
//   of the monitoring work, the NetworkPolicy's ports; the generated copies are current.
// - The rendered objects on the local API server: server-side dry run, then for real, into this
//   file's namespace (which enforces the restricted standard), with the real CRDs of cert-manager
//   and the Prometheus Operator taken from their Go modules; `helm install`/`upgrade`/`uninstall`
//   with the self-signed certificate (kept across the upgrade); kustomize builds, dry-run applied.
// The operator's image cannot be pulled here and kwok fakes the pods without running containers:
// the test proves that every object is accepted and the pods admitted, not that the operator runs
// in them (the operator's own behaviour under the chart's identity is least-privilege.e2e.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { request as httpsRequestRaw } from 'node:https';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  httpStatus,
  installCrds,
  kubeconfigPath,
  loadTestKubeConfig,
  readCrds,
  uniqueName,
} from '@lynq/testkit';
import { resourcePath, resourceType, type KubeObject, type ResourceType } from '@lynq/runtime';
import {
  OPERATOR_MAIN,
  REPO_ROOT,
  Res,
  freePorts,
  goTool,
  hub,
  mysqlSource,
  useScenario,
  waitFor,
  type KubeEvent,
} from './harness/index.js';

const s = useScenario({ name: 'chart', operator: false });
const CHART = join(REPO_ROOT, 'deploy', 'helm', 'lynq');
const KUSTOMIZE_DIR = join(REPO_ROOT, 'deploy', 'kustomize');
const FIELD_MANAGER = 'e2e-chart';
/** The versions whose CRDs are installed for the kinds this cluster does not know. */
const CERT_MANAGER = 'github.com/cert-manager/cert-manager@v1.21.2';
const PROMETHEUS_OPERATOR = 'github.com/prometheus-operator/prometheus-operator@v0.85.0';

type Values = Record<string, unknown>;
type Obj = KubeObject & { spec?: Record<string, unknown>; data?: Record<string, string> };

let work: string;
let helmEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lynq-e2e-chart-'));
  // helm keeps its caches, configuration and repositories here, not in the user's home.
  helmEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(work, 'helm-cache'),
    HELM_CONFIG_HOME: join(work, 'helm-config'),
    HELM_DATA_HOME: join(work, 'helm-data'),
  };
});
afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(binary: string, args: readonly string[], env = helmEnv): Run {
  const r = spawnSync(binary, args, {
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error !== undefined) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function helm(args: readonly string[]): Run {
  return run(goTool('helm', 'helm'), args);
}

/** Runs helm and fails with its output when it does not exit 0. */
function mustHelm(args: readonly string[]): string {
  const r = helm(args);
  if (r.code !== 0)
    throw new Error(`helm ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function valuesFile(values: Values): string {
  const file = join(work, `values-${uniqueName('v')}.json`);
  writeFileSync(file, JSON.stringify(values)); // JSON is YAML: helm reads it as a values file
  return file;
}

/**
 * The documents of a YAML stream as plain data (not the client library's model classes, which
 * rename fields such as `x-kubernetes-list-type` and would change what the API server receives).
 */
function parseDocs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Obj => typeof d === 'object' && d !== null && 'kind' in d);
}

function readYaml<T>(path: string): T {
  return parseYaml(readFileSync(path, 'utf8')) as T;
}

/** `helm template` of the chart with `values`, parsed. */
function render(values: Values = {}, release = 'lynq', namespace = 'lynq-system'): Obj[] {
  return parseDocs(
    mustHelm(['template', release, CHART, '--namespace', namespace, '-f', valuesFile(values)]),
  );
}

function find(objs: readonly Obj[], kind: string, name?: string): Obj {
  const found = objs.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind}${name !== undefined ? ` ${name}` : ''}, rendered: ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found[0] as Obj;
}

function kindsOf(objs: readonly Obj[]): string[] {
  return [...new Set(objs.map((o) => o.kind ?? ''))].sort();
}

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: Record<string, unknown>;
}
interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  volumes?: { name: string; emptyDir?: object; secret?: { secretName: string } }[];
}
function podSpec(deployment: Obj): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}
function manager(deployment: Obj): Container {
  const c = podSpec(deployment).containers.find((x) => x.name === 'manager');
  if (c === undefined) throw new Error('no container "manager"');
  return c;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
interface Webhook {
  name: string;
  clientConfig: {
    service: { name: string; namespace: string; path: string; port: number };
    caBundle?: string;
  };
  failurePolicy: string;
  sideEffects: string;
  rules: { apiGroups: string[]; operations: string[]; resources: string[] }[];
  namespaceSelector?: unknown;
}

const PSS_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

describe('helm lint', () => {
  it('passes with the defaults, and --strict with every option on', () => {
    const plain = helm(['lint', CHART]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    const strict = helm([
      'lint',
      '--strict',
      CHART,
      '-f',
      join(CHART, 'ci', 'all-features-values.yaml'),
    ]);
    expect(strict.code, strict.stdout + strict.stderr).toBe(0);
    expect(strict.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('stops a misspelt key, a wrong type and a value outside its set, naming them', () => {
    const typo = helm(['lint', CHART, '--set', 'manager.logLevle=debug']);
    expect(typo.code).not.toBe(0);
    expect(typo.stdout + typo.stderr).toMatch(
      /\/manager.*additional properties 'logLevle' not allowed/,
    );
    const type = helm(['lint', CHART, '--set-string', 'replicaCount=two']);
    expect(type.code).not.toBe(0);
    expect(type.stdout + type.stderr).toContain('/replicaCount');
    const policy = helm(['lint', CHART, '--set', 'webhook.failurePolicy=Sometimes']);
    expect(policy.code).not.toBe(0);
    expect(policy.stdout + policy.stderr).toMatch(/\/webhook\/failurePolicy.*'Fail', 'Ignore'/);
    // A combination the schema cannot express fails the render with the reason.
    const shards = helm([
      'template',
      'x',
      CHART,
      '--set',
      'manager.shards=3',
      '--set',
      'manager.leaderElection=false',
    ]);
    expect(shards.code).not.toBe(0);
    expect(shards.stderr).toContain('manager.shards > 1 needs manager.leaderElection');
  });

  it('the generated copies (files/crds, deploy/kustomize) are current: deploy/sync.sh --check', () => {
    const r = run('bash', [join(REPO_ROOT, 'deploy', 'sync.sh'), '--check'], {
      ...helmEnv,
      HELM: goTool('helm', 'helm'),
    });
    expect(r.code, r.stderr).toBe(0);
  });

  it('every key of values.yaml is documented in the chart README', () => {
    const values = readYaml<Values>(join(CHART, 'values.yaml'));
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    // Kubernetes objects passed through as a whole are documented as one key.
    const whole = new Set([
      'podSecurityContext',
      'securityContext',
      'resources',
      'livenessProbe',
      'readinessProbe',
      'networkPolicy.metrics.namespaceSelector',
      'monitoring.grafanaDashboard.labels',
    ]);
    const missing: string[] = [];
    const walk = (value: unknown, path: string) => {
      const isMap = typeof value === 'object' && value !== null && !Array.isArray(value);
      if (isMap && Object.keys(value).length > 0 && !whole.has(path)) {
        for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
      } else if (!readme.includes(`| \`${path}\` |`)) missing.push(path);
    };
    walk(values, '');
    expect(missing).toEqual([]);
  });
});

describe('helm template', () => {
  it('defaults: the operator under the restricted Pod Security Standard, with the flags of the contract', () => {
    const objs = render();
    expect(kindsOf(objs)).toEqual([
      'Certificate',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'Deployment',
      'Issuer',
      'MutatingWebhookConfiguration',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    const dep = find(objs, 'Deployment', 'lynq-controller-manager');
    expect(dep.metadata.namespace).toBe('lynq-system');
    expect(dep.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'lynq',
      'control-plane': 'controller-manager',
    });
    const pod = podSpec(dep);
    expect(pod.serviceAccountName).toBe('lynq-controller-manager');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = manager(dep);
    expect(c.securityContext).toMatchObject(PSS_CONTAINER);
    expect(c.args).toEqual([
      '--health-probe-bind-address=:8081',
      '--metrics-bind-address=:8443',
      '--metrics-secure=true',
      '--webhook-port=9443',
      '--webhook-cert-path=/tmp/k8s-webhook-server/serving-certs',
      '--leader-elect',
      '--hub-concurrency=3',
      '--form-concurrency=5',
      '--node-concurrency=32',
      '--render-processes=2',
      '--render-memory-limit-mb=128',
      '--render-timeout=5s',
      '--log-level=info',
      '--graceful-shutdown-timeout=30s',
    ]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'health', containerPort: 8081 }),
        expect.objectContaining({ name: 'metrics', containerPort: 8443 }),
        expect.objectContaining({ name: 'webhook-server', containerPort: 9443 }),
      ]),
    );
    expect(c.resources).toMatchObject({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { memory: '512Mi' },
    });
    expect(c.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    // The only writable place is the /tmp emptyDir; the webhook certificate is mounted read-only.
    expect(c.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'webhook-certs', mountPath: '/tmp/k8s-webhook-server/serving-certs', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'webhook-certs', secret: { secretName: 'lynq-webhook-server-cert' } },
    ]);

    // Services: metrics 8443 "https", webhooks 443 -> 9443; both select the operator's pods.
    const metrics = find(objs, 'Service', 'lynq-controller-manager-metrics-service');
    expect((metrics.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'https', port: 8443, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    const webhookSvc = find(objs, 'Service', 'lynq-webhook-service');
    expect((webhookSvc.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'webhook', port: 443, targetPort: 'webhook-server', protocol: 'TCP' },
    ]);
    for (const svc of [metrics, webhookSvc])
      expect((svc.spec as { selector: unknown }).selector).toEqual(
        (dep.spec as { selector: { matchLabels: unknown } }).selector.matchLabels,
      );

    const pdb = find(objs, 'PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('defaults: the webhooks of reference §2, with a cert-manager certificate whose CA is injected', () => {
    const objs = render();
    const expectHooks = (
      kind: string,
      name: string,
      prefix: 'mutate' | 'validate',
      short: string,
    ) => {
      const cfg = find(objs, kind, name);
      expect(cfg.metadata.annotations).toMatchObject({
        'cert-manager.io/inject-ca-from': 'lynq-system/lynq-serving-cert',
      });
      const hooks = (cfg as unknown as { webhooks: Webhook[] }).webhooks;
      expect(hooks.map((h) => [h.name, h.clientConfig.service.path])).toEqual([
        [`${short}lynqhub.kb.io`, `/${prefix}-operator-lynq-sh-v1-lynqhub`],
        [`${short}lynqform.kb.io`, `/${prefix}-operator-lynq-sh-v1-lynqform`],
      ]);
      for (const h of hooks) {
        expect(h.failurePolicy).toBe('Fail');
        expect(h.sideEffects).toBe('None');
        expect(h.clientConfig.service).toMatchObject({
          name: 'lynq-webhook-service',
          namespace: 'lynq-system',
          port: 443,
        });
        expect(h.clientConfig.caBundle).toBeUndefined();
        expect(h.rules[0]).toMatchObject({
          apiGroups: ['operator.lynq.sh'],
          operations: ['CREATE', 'UPDATE'],
        });
      }
    };
    expectHooks(
      'MutatingWebhookConfiguration',
      'lynq-mutating-webhook-configuration',
      'mutate',
      'm',
    );
    expectHooks(
      'ValidatingWebhookConfiguration',
      'lynq-validating-webhook-configuration',
      'validate',
      'v',
    );
    const cert = find(objs, 'Certificate', 'lynq-serving-cert');
    expect(cert.spec).toMatchObject({
      secretName: 'lynq-webhook-server-cert',
      dnsNames: [
        'lynq-webhook-service.lynq-system.svc',
        'lynq-webhook-service.lynq-system.svc.cluster.local',
      ],
      issuerRef: { kind: 'Issuer', name: 'lynq-selfsigned-issuer' },
    });
    expect(find(objs, 'Issuer', 'lynq-selfsigned-issuer').spec).toEqual({ selfSigned: {} });
  });

  it('self-signed: a CA and a serving certificate for the webhook Service, the CA in every caBundle', () => {
    const objs = render({ certManager: { enabled: false } }, 'acme', 'ops');
    expect(kindsOf(objs)).not.toContain('Certificate');
    expect(kindsOf(objs)).not.toContain('Issuer');
    const secret = find(objs, 'Secret', 'acme-lynq-webhook-server-cert');
    expect(secret.type).toBe('kubernetes.io/tls');
    const data = secret.data ?? {};
    const pem = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
    const ca = new X509Certificate(pem('ca.crt'));
    const leaf = new X509Certificate(pem('tls.crt'));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('acme-lynq-webhook-service.ops.svc')).toBe(
      'acme-lynq-webhook-service.ops.svc',
    );
    expect(leaf.checkPrivateKey(createPrivateKey(pem('tls.key')))).toBe(true);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 3000 * 86_400_000);
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const cfg = find(objs, kind);
      expect(cfg.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBeUndefined();
      for (const h of (cfg as unknown as { webhooks: Webhook[] }).webhooks)
        expect(h.clientConfig.caBundle).toBe(data['ca.crt']);
    }
    const dep = find(objs, 'Deployment');
    expect(podSpec(dep).volumes).toContainEqual({
      name: 'webhook-certs',
      secret: { secretName: 'acme-lynq-webhook-server-cert' },
    });
  });

  it('an existing Secret and its CA instead; webhooks off: no webhook objects, flags or mounts', () => {
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    const own = render({
      certManager: { enabled: false },
      webhook: { certificate: { existingSecret: 'my-tls', caBundle } },
    });
    expect(kindsOf(own)).not.toContain('Secret');
    expect(podSpec(find(own, 'Deployment')).volumes).toContainEqual({
      name: 'webhook-certs',
      secret: { secretName: 'my-tls' },
    });
    for (const h of (
      find(own, 'ValidatingWebhookConfiguration') as unknown as { webhooks: Webhook[] }
    ).webhooks)
      expect(h.clientConfig.caBundle).toBe(caBundle);
    const missingCa = helm([
      'template',
      'x',
      CHART,
      '--set',
      'certManager.enabled=false',
      '--set',
      'webhook.certificate.existingSecret=my-tls',
    ]);
    expect(missingCa.code).not.toBe(0);
    expect(missingCa.stderr).toContain(
      'webhook.certificate.existingSecret needs webhook.certificate.caBundle',
    );

    const off = render({ webhook: { enabled: false } });
    for (const kind of [
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
      'Certificate',
      'Issuer',
      'Secret',
    ])
      expect(kindsOf(off)).not.toContain(kind);
    expect(off.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual([
      'lynq-controller-manager-metrics-service',
    ]);
    const c = manager(find(off, 'Deployment'));
    expect(c.args?.some((a) => a.startsWith('--webhook'))).toBe(false);
    expect(c.volumeMounts?.map((m) => m.name)).toEqual(['tmp']);
  });

  it('CRDs: deploy/crds exactly, kept on uninstall by default; crds.install=false renders none', () => {
    const objs = render();
    const rendered = objs.filter((o) => o.kind === 'CustomResourceDefinition');
    const crdDir = join(REPO_ROOT, 'deploy', 'crds');
    const source = readdirSync(crdDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readYaml<Obj>(join(crdDir, f)));
    expect(rendered.map((c) => c.metadata.name).sort()).toEqual(
      source.map((c) => c.metadata.name).sort(),
    );
    for (const crd of rendered) {
      const original = source.find((c) => c.metadata.name === crd.metadata.name);
      // Compared as data: the chart re-serialises the YAML, the meaning must not change.
      expect(crd.spec).toEqual(original?.spec);
      expect(crd.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    }
    // The copy the chart reads is byte-for-byte the generated one.
    for (const file of readdirSync(join(REPO_ROOT, 'deploy', 'crds')).filter((f) =>
      f.endsWith('.yaml'),
    ))
      expect(readFileSync(join(CHART, 'files', 'crds', file), 'utf8'), file).toBe(
        readFileSync(join(REPO_ROOT, 'deploy', 'crds', file), 'utf8'),
      );
    const notKept = render({ crds: { keep: false } }).filter(
      (o) => o.kind === 'CustomResourceDefinition',
    );
    expect(notKept).toHaveLength(3);
    for (const crd of notKept)
      expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
    expect(kindsOf(render({ crds: { install: false } }))).not.toContain('CustomResourceDefinition');
  });

  it('RBAC: no wildcard verb or resource anywhere but in rbac.extraRules, which land in the manager role', () => {
    const extra: Rule = { apiGroups: ['example.com'], resources: ['*'], verbs: ['*'] };
    const sets: Values[] = [
      {},
      { manager: { watchNamespace: 'tenants', shards: 4 } },
      { monitoring: { enabled: true, prometheusServiceAccount: { bindMetricsReader: true } } },
      { rbac: { extraRules: [extra] } },
    ];
    for (const values of sets) {
      const objs = render(values);
      const roles = objs.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
      expect(roles.length).toBeGreaterThan(0);
      for (const role of roles)
        for (const rule of (role as unknown as { rules: Rule[] }).rules) {
          if (JSON.stringify(rule) === JSON.stringify(extra)) continue;
          const where = `${role.kind} ${role.metadata.name}: ${JSON.stringify(rule)}`;
          expect(rule.verbs, where).not.toContain('*');
          expect(rule.resources ?? [], where).not.toContain('*');
          expect(rule.apiGroups ?? [], where).not.toContain('*');
        }
      // Every binding names a role the chart renders, and the ServiceAccount it renders.
      for (const binding of objs.filter(
        (o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding',
      )) {
        const ref = (binding as unknown as { roleRef: { kind: string; name: string } }).roleRef;
        expect(
          roles.some((r) => r.kind === ref.kind && r.metadata.name === ref.name),
          `${binding.metadata.name} -> ${ref.kind} ${ref.name}`,
        ).toBe(true);
      }
    }
    const withExtra = render({ rbac: { extraRules: [extra] } });
    const managerRole = find(withExtra, 'ClusterRole', 'lynq-manager');
    expect((managerRole as unknown as { rules: Rule[] }).rules).toContainEqual(extra);
  });

  it('monitoring: a ServiceMonitor over HTTPS with a token, the alerts and the dashboard of files/', () => {
    const objs = render({
      monitoring: {
        enabled: true,
        labels: { release: 'prom' },
        prometheusServiceAccount: { bindMetricsReader: true },
        prometheusRule: { enabled: true },
        grafanaDashboard: { enabled: true },
      },
    });
    const sm = find(objs, 'ServiceMonitor');
    expect(sm.metadata.labels).toMatchObject({ release: 'prom' });
    const endpoints = (sm.spec as { endpoints: Record<string, unknown>[] }).endpoints;
    expect(endpoints).toEqual([
      expect.objectContaining({
        port: 'https',
        path: '/metrics',
        // The objects' namespace label, not the operator's (see docs/monitoring.md).
        honorLabels: true,
        scheme: 'https',
        bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        tlsConfig: { insecureSkipVerify: true },
      }),
    ]);
    const metricsSvc = find(objs, 'Service', 'lynq-controller-manager-metrics-service');
    const selector = (sm.spec as { selector: { matchLabels: Record<string, string> } }).selector
      .matchLabels;
    for (const [k, v] of Object.entries(selector))
      expect(metricsSvc.metadata.labels?.[k], k).toBe(v);

    const rules = find(objs, 'PrometheusRule');
    const file = readYaml<{ groups: unknown[] }>(join(CHART, 'files', 'prometheus-rules.yaml'));
    expect(file.groups.length).toBeGreaterThan(0);
    expect((rules.spec as { groups: unknown }).groups).toEqual(file.groups);
    const dashboard = find(objs, 'ConfigMap');
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const json = Object.values(dashboard.data ?? {});
    expect(json).toHaveLength(1);
    expect(JSON.parse(json[0] ?? '')).toEqual(
      JSON.parse(readFileSync(join(CHART, 'files', 'grafana-dashboard.json'), 'utf8')),
    );
    const binding = find(objs, 'ClusterRoleBinding', 'lynq-metrics-reader');
    expect(binding).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'lynq-metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }],
    });

    // With a cert-manager metrics certificate the scrape verifies it.
    const verified = render({
      monitoring: { enabled: true },
      certManager: { metricsCertificate: true },
    });
    expect(
      (find(verified, 'ServiceMonitor').spec as { endpoints: { tlsConfig: unknown }[] })
        .endpoints[0]?.tlsConfig,
    ).toEqual({
      serverName: 'lynq-controller-manager-metrics-service.lynq-system.svc',
      ca: { secret: { name: 'lynq-metrics-server-cert', key: 'ca.crt' } },
    });
    expect(find(verified, 'Certificate', 'lynq-metrics-cert').spec).toMatchObject({
      secretName: 'lynq-metrics-server-cert',
    });
    expect(manager(find(verified, 'Deployment')).args).toContain(
      '--metrics-cert-path=/tmp/k8s-metrics-server/metrics-certs',
    );
    // Plain HTTP metrics: no token, no TLS.
    const plain = render({ monitoring: { enabled: true }, manager: { metricsSecure: false } });
    expect(
      (find(plain, 'ServiceMonitor').spec as { endpoints: Record<string, unknown>[] }).endpoints[0],
    ).not.toHaveProperty('bearerTokenFile');
  });

  it('networkPolicy: ingress only to the webhook and metrics ports; egress open unless restricted', () => {
    const open = find(render({ networkPolicy: { enabled: true } }), 'NetworkPolicy');
    const spec = open.spec as {
      policyTypes: string[];
      ingress: { ports: { port: number }[]; from?: unknown[] }[];
    };
    expect(spec.policyTypes).toEqual(['Ingress']);
    expect(spec.ingress.flatMap((r) => r.ports.map((p) => p.port)).sort()).toEqual([8443, 9443]);
    expect(spec.ingress[0]?.from).toBeUndefined(); // the API server is not a pod: any source
    expect(spec.ingress[1]?.from).toEqual([
      { namespaceSelector: { matchLabels: { metrics: 'enabled' } } },
    ]);
    const db = {
      to: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
      ports: [{ port: 3306, protocol: 'TCP' }],
    };
    const closed = find(
      render({ networkPolicy: { enabled: true, egress: { restrict: true, extraRules: [db] } } }),
      'NetworkPolicy',
    );
    const egress = closed.spec as {
      policyTypes: string[];
      egress: { ports: { port: number }[] }[];
    };
    expect(egress.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(egress.egress.map((r) => r.ports.map((p) => p.port))).toEqual([
      [53, 53],
      [443, 6443],
      [3306],
    ]);
  });

  it('every option on: flags, scheduling and names follow the values', () => {
    const objs = render(
      readYaml<Values>(join(CHART, 'ci', 'all-features-values.yaml')),
      'ci',
      'tenants-ops',
    );
    // The dashboard's Deployment is on too (dashboard.enabled): take the operator's by name.
    const dep = find(objs, 'Deployment', 'ci-lynq-controller-manager');
    const c = manager(dep);
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--leader-election-id=lynq-ci.example.com',
        '--shards=4',
        '--namespace=tenants',
        '--node-concurrency=30',
        '--log-level=debug',
        '--metrics-cert-path=/tmp/k8s-metrics-server/metrics-certs',
        '--render-processes=4',
        '--datasource-max-rows=200000',
      ]),
    );
    expect(dep.spec).toMatchObject({ replicas: 2, strategy: { type: 'Recreate' } });
    expect(
      (dep.spec as { template: { spec: Record<string, unknown> } }).template.spec,
    ).toMatchObject({
      priorityClassName: 'system-cluster-critical',
      imagePullSecrets: [{ name: 'regcred' }],
    });
    expect((c as unknown as { image: string }).image).toBe(
      'registry.example.com/platform/lynq-operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(c.securityContext).toMatchObject(PSS_CONTAINER);
    // Every flag the chart can pass is one the operator has (its --help lists them all).
    const usage = execFileSync(process.execPath, [OPERATOR_MAIN, '--help'], { encoding: 'utf8' });
    for (const arg of c.args ?? []) {
      const flag = /^--[a-z0-9-]+/.exec(arg)?.[0] ?? arg;
      expect(usage, flag).toContain(`  ${flag} `);
    }
    // Namespaced objects in the release namespace (monitoring ones may be elsewhere), cluster-scoped
    // ones named after the release; every object carries the chart's and the common labels.
    for (const o of objs) {
      expect(o.metadata.labels, `${o.kind} ${o.metadata.name}`).toMatchObject({
        'app.kubernetes.io/instance': 'ci',
        team: 'platform',
      });
      if (o.metadata.namespace === undefined)
        expect(o.metadata.name, o.kind).toMatch(
          o.kind === 'CustomResourceDefinition' ? /\.operator\.lynq\.sh$/ : /^ci-lynq-/,
        );
      else if (o.kind !== 'Role' && o.kind !== 'RoleBinding')
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('tenants-ops');
    }
    for (const h of (
      find(objs, 'ValidatingWebhookConfiguration') as unknown as { webhooks: Webhook[] }
    ).webhooks) {
      expect(h.failurePolicy).toBe('Ignore');
      expect(h.namespaceSelector).toEqual({ matchLabels: { 'lynq.sh/admission': 'enabled' } });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// On the API server.

const discovered = new Map<string, ResourceType>();

/** The resource type of an object, from the API server's discovery (any kind it serves). */
async function typeOfObject(obj: Obj): Promise<ResourceType> {
  const apiVersion = obj.apiVersion ?? '';
  const key = `${apiVersion}/${obj.kind}`;
  const known = discovered.get(key);
  if (known !== undefined) return known;
  const list = await s.kube.rest.request<{
    resources: { name: string; kind: string; namespaced: boolean }[];
  }>({
    path: apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
  });
  for (const r of list.resources)
    if (!r.name.includes('/'))
      discovered.set(
        `${apiVersion}/${r.kind}`,
        resourceType(apiVersion, r.kind, r.name, r.namespaced),
      );
  const found = discovered.get(key);
  if (found === undefined) throw new Error(`the API server does not serve ${key}`);
  return found;
}

/** Order of application: what others refer to first, the webhook configurations last. */
const ORDER = [
  'CustomResourceDefinition',
  'Namespace',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'Issuer',
  'Certificate',
  'Deployment',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'ServiceMonitor',
  'PrometheusRule',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const rank = (o: Obj) => {
  const i = ORDER.indexOf(o.kind ?? '');
  return i < 0 ? ORDER.length : i;
};

/**
 * Server-side applies every object (dry run: validated, defaulted and admitted, nothing stored) and
 * answers what the API server refused, one line per object, so that one run shows every problem.
 */
async function applyAll(objs: readonly Obj[], dryRun: boolean): Promise<string[]> {
  const refused: string[] = [];
  for (const obj of [...objs].sort((a, b) => rank(a) - rank(b))) {
    try {
      const type = await typeOfObject(obj);
      await s.kube.rest.request({
        method: 'PATCH',
        path: resourcePath(type, obj.metadata.namespace, obj.metadata.name),
        query: {
          fieldManager: FIELD_MANAGER,
          force: true,
          fieldValidation: 'Strict',
          dryRun: dryRun ? 'All' : undefined,
        },
        body: obj,
        contentType: 'application/apply-patch+yaml',
      });
    } catch (err) {
      refused.push(
        `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return refused;
}

/** Deletes the objects (cluster-scoped ones outlive the namespace) and answers those still there. */
async function deleteAll(objs: readonly Obj[]): Promise<string[]> {
  for (const obj of objs) {
    const type = await typeOfObject(obj);
    await s.kube.delete(type, obj.metadata.name ?? '', obj.metadata.namespace, {
      propagationPolicy: 'Background',
    });
  }
  const left: string[] = [];
  for (const obj of objs.filter((o) => o.metadata.namespace === undefined)) {
    const type = await typeOfObject(obj);
    if (!(await s.kube.gone(type, obj.metadata.name ?? '')))
      left.push(`${obj.kind} ${obj.metadata.name}`);
  }
  return left;
}

/** The CRDs of a Go module's directory (the module is downloaded into the Go module cache). */
function moduleCrds(module: string, dir: string, names: readonly string[]) {
  // The Go toolchain that builds the control plane and the tools (tools/go-tools/build.sh falls
  // back to /usr/local/go the same way).
  const go = spawnSync('go', ['version']).status === 0 ? 'go' : '/usr/local/go/bin/go';
  const out = execFileSync(go, ['mod', 'download', '-json', module], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    timeout: 300_000,
  });
  const { Dir: moduleDir, Error: error } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (moduleDir === undefined) throw new Error(`go mod download ${module}: ${error ?? out}`);
  const crds = readCrds(join(moduleDir, dir)).filter((c) => names.includes(c.metadata?.name ?? ''));
  expect(crds.map((c) => c.metadata?.name).sort()).toEqual([...names].sort());
  return crds;
}

/** Values that keep a release of this file to this file: shared CRDs untouched, webhooks scoped. */
function scoped(values: Values): Values {
  return {
    ...values,
    crds: { install: false },
    webhook: {
      ...((values['webhook'] as Values | undefined) ?? {}),
      timeoutSeconds: 3,
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } },
    },
  };
}

describe('on the local API server', () => {
  beforeAll(async () => {
    // The restricted Pod Security Standard, enforced: a pod the chart describes must be admitted.
    await s.kube.mergePatch(Res.Namespace, s.namespace, undefined, {
      metadata: {
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    // The real CRDs of the kinds this cluster lacks. They are left installed afterwards: other test
    // files may use them at the same moment, and an idle CRD costs nothing.
    await installCrds(
      loadTestKubeConfig(),
      [
        ...moduleCrds(CERT_MANAGER, 'deploy/crds', [
          'certificates.cert-manager.io',
          'issuers.cert-manager.io',
        ]),
        ...moduleCrds(PROMETHEUS_OPERATOR, 'example/prometheus-operator-crd', [
          'servicemonitors.monitoring.coreos.com',
          'prometheusrules.monitoring.coreos.com',
        ]),
      ],
      FIELD_MANAGER,
    );
  }, 420_000);

  it('every object of a full release is accepted: dry run, then for real; pods admitted as restricted', async () => {
    const release = uniqueName('chart');
    const objs = render(
      scoped({
        replicaCount: 2,
        monitoring: {
          enabled: true,
          prometheusServiceAccount: { bindMetricsReader: true },
          prometheusRule: { enabled: true },
          grafanaDashboard: { enabled: true },
        },
        certManager: { metricsCertificate: true },
        networkPolicy: { enabled: true, egress: { restrict: true } },
        rbac: {
          extraRules: [
            {
              apiGroups: ['cert-manager.io'],
              resources: ['certificates'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
      }),
      release,
      s.namespace,
    );
    expect(kindsOf(objs)).toEqual([
      'Certificate',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'Issuer',
      'MutatingWebhookConfiguration',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'PrometheusRule',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
      'ValidatingWebhookConfiguration',
    ]);
    try {
      expect(await applyAll(objs, true)).toEqual([]);
      // Nothing was stored by the dry run.
      expect(
        await s.kube.get(Res.Deployment, `${release}-lynq-controller-manager`, s.namespace),
      ).toBeUndefined();
      expect(await applyAll(objs, false)).toEqual([]);
      for (const obj of objs) {
        const type = await typeOfObject(obj);
        expect(
          await s.kube.get(type, obj.metadata.name ?? '', obj.metadata.namespace),
          `${obj.kind} ${obj.metadata.name}`,
        ).toBeDefined();
      }
      // The ReplicaSet's pods pass the namespace's restricted admission (a violation would be a
      // FailedCreate event and no pod). kwok runs them without pulling the image.
      await waitFor(
        async (note) => {
          const pods = await s.kube.list(Res.Pod, s.namespace, {
            labelSelector: `app.kubernetes.io/instance=${release}`,
          });
          const events = await s.kube.list<KubeEvent>(Res.Event, s.namespace, {
            fieldSelector: 'reason=FailedCreate',
          });
          note({ pods: pods.length, failedCreate: events.map((e) => e.message) });
          return pods.length === 2;
        },
        {
          what: "the Deployment's 2 pods admitted under the restricted standard",
          timeoutMs: 90_000,
          intervalMs: 500,
        },
      );
      // The API server consults the chart's webhooks for Lynq objects in this namespace. No
      // operator answers here (failurePolicy Fail), so a LynqHub is refused, naming the webhook.
      let refusal = '';
      try {
        await s.kube.create(
          hub({ name: 'refused', namespace: s.namespace, source: mysqlSource(s.table) }),
        );
      } catch (err) {
        refusal = err instanceof Error ? err.message : String(err);
      }
      expect(refusal).toMatch(/failed calling webhook "mlynqhub\.kb\.io"/);
    } finally {
      expect(await deleteAll(objs)).toEqual([]);
    }
  }, 240_000);

  it("the operator runs with exactly the chart's flags: ready, /metrics refuses anonymous scrapes, webhooks served with the chart's certificate", async () => {
    const [health, metrics, webhookPort] = (await freePorts(3)) as [number, number, number];
    const objs = render(
      {
        certManager: { enabled: false },
        manager: {
          healthProbeBindAddress: `127.0.0.1:${health}`,
          metricsBindAddress: `127.0.0.1:${metrics}`,
          watchNamespace: s.namespace,
        },
        webhook: { port: webhookPort },
      },
      'lynq',
      s.namespace,
    );
    // The certificate the chart generated, where the pod would mount it.
    const secret = find(objs, 'Secret');
    const certDir = mkdtempSync(join(work, 'serving-certs-'));
    for (const file of ['tls.crt', 'tls.key'])
      writeFileSync(join(certDir, file), Buffer.from(secret.data?.[file] ?? '', 'base64'));
    const chartArgs = manager(find(objs, 'Deployment')).args ?? [];
    const args = chartArgs.map((a) =>
      a === '--webhook-cert-path=/tmp/k8s-webhook-server/serving-certs'
        ? `--webhook-cert-path=${certDir}`
        : a,
    );
    expect(args).not.toEqual(chartArgs); // the mount path was there to replace
    // Outside a pod only the kubeconfig is added; the lease goes to --namespace.
    const op = await s.startOperator({
      name: 'chart-flags',
      rawArgs: [...args, `--kubeconfig=${kubeconfigPath()}`],
      waitUntilReady: false,
    });
    await s.waitFor(async () => (await httpStatus(`http://127.0.0.1:${health}/readyz`)) === 200, {
      what: `the operator started with the chart's flags ready (log ${op.logFile})`,
      timeoutMs: 60_000,
    });
    // --metrics-secure: HTTPS, and a request without a token is refused.
    const scrape = await httpsRequest({
      port: metrics,
      path: '/metrics',
      rejectUnauthorized: false,
    });
    expect(scrape.status).toBe(401);
    // The webhook server presents the chart's certificate, valid for the Service's DNS name under
    // the chart's CA (what the API server checks with the caBundle), and answers an AdmissionReview.
    const uid = '6c1b3c9e-chart-e2e';
    const review = await httpsRequest({
      port: webhookPort,
      path: '/validate-operator-lynq-sh-v1-lynqhub',
      ca: Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString('utf8'),
      servername: `lynq-webhook-service.${s.namespace}.svc`,
      body: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqHub' },
          resource: { group: 'operator.lynq.sh', version: 'v1', resource: 'lynqhubs' },
          name: 'no-uid',
          namespace: s.namespace,
          operation: 'CREATE',
          userInfo: { username: 'e2e' },
          object: {
            ...hub({ name: 'no-uid', namespace: s.namespace, source: mysqlSource(s.table) }),
            spec: { source: mysqlSource(s.table), valueMappings: { activate: 'active' } },
          },
        },
      },
    });
    expect(review.status).toBe(200);
    const answer = JSON.parse(review.body) as {
      response?: { uid?: string; allowed?: boolean; status?: { message?: string } };
    };
    expect(answer.response).toMatchObject({ uid, allowed: false });
    expect(answer.response?.status?.message).toMatch(/valueMappings\.uid/);
    await op.stop();
  });

  it('the namespace really enforces the standard: without the security contexts no pod is admitted', async () => {
    const release = uniqueName('pss');
    const objs = render(
      // null removes a default value in Helm (an empty map would be merged with it).
      scoped({ webhook: { enabled: false }, podSecurityContext: null, securityContext: null }),
      release,
      s.namespace,
    ).filter((o) => o.kind === 'Deployment' || o.kind === 'ServiceAccount');
    try {
      expect(await applyAll(objs, false)).toEqual([]);
      const events = await waitFor(
        async (note) => {
          const failed = await s.kube.list<KubeEvent>(Res.Event, s.namespace, {
            fieldSelector: 'reason=FailedCreate',
          });
          const mine = failed.filter((e) => e.involvedObject?.name?.startsWith(release) === true);
          note(mine.map((e) => e.message));
          return mine.length > 0 && mine;
        },
        { what: 'a FailedCreate event of the ReplicaSet', timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(events[0]?.message).toMatch(/violates PodSecurity "restricted/);
      const pods = await s.kube.list(Res.Pod, s.namespace, {
        labelSelector: `app.kubernetes.io/instance=${release}`,
      });
      expect(pods).toEqual([]);
    } finally {
      expect(await deleteAll(objs)).toEqual([]);
    }
  });

  it('helm install, upgrade (the self-signed certificate is kept) and uninstall (cluster-scoped objects gone)', async () => {
    const release = uniqueName('helm');
    const values = valuesFile(scoped({ certManager: { enabled: false } }));
    const kubeconfig = kubeconfigPath();
    const common = ['--namespace', s.namespace, '--kubeconfig', kubeconfig, '-f', values];
    const secretName = `${release}-lynq-webhook-server-cert`;
    const cfgName = `${release}-lynq-validating-webhook-configuration`;
    const ValidatingCfg = resourceType(
      'admissionregistration.k8s.io/v1',
      'ValidatingWebhookConfiguration',
      'validatingwebhookconfigurations',
      false,
    );
    const ClusterRole = resourceType(
      'rbac.authorization.k8s.io/v1',
      'ClusterRole',
      'clusterroles',
      false,
    );
    try {
      mustHelm(['install', release, CHART, ...common, '--dry-run=server']);
      expect(await s.kube.get(Res.Secret, secretName, s.namespace)).toBeUndefined();
      mustHelm(['install', release, CHART, ...common]);
      const first = await s.kube.mustGet<Obj>(Res.Secret, secretName, s.namespace);
      const ca = first.data?.['ca.crt'];
      expect(ca).toBeTruthy();
      const bundles = async () =>
        (await s.kube.mustGet<{ webhooks: Webhook[] }>(ValidatingCfg, cfgName)).webhooks.map(
          (h) => h.clientConfig.caBundle,
        );
      expect(await bundles()).toEqual([ca, ca]);

      mustHelm(['upgrade', release, CHART, ...common, '--set', 'manager.logLevel=debug']);
      const second = await s.kube.mustGet<Obj>(Res.Secret, secretName, s.namespace);
      expect(second.data).toEqual(first.data);
      expect(await bundles()).toEqual([ca, ca]);
      const dep = await s.kube.mustGet<Obj>(
        Res.Deployment,
        `${release}-lynq-controller-manager`,
        s.namespace,
      );
      expect(manager(dep).args).toContain('--log-level=debug');
    } finally {
      helm(['uninstall', release, '--namespace', s.namespace, '--kubeconfig', kubeconfig]);
    }
    expect(await s.kube.gone(ValidatingCfg, cfgName)).toBe(true);
    for (const suffix of [
      'manager',
      'metrics-auth',
      'metrics-reader',
      'viewer',
      'aggregate-to-view',
    ])
      expect(await s.kube.gone(ClusterRole, `${release}-lynq-${suffix}`), suffix).toBe(true);
    expect(await s.kube.get(Res.Secret, secretName, s.namespace)).toBeUndefined();
  }, 240_000);

  it("the chart's CRDs are accepted as an update of the installed ones (dry run: they are shared)", async () => {
    const crds = render().filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toHaveLength(3);
    expect(await applyAll(crds, true)).toEqual([]);
  });

  describe('kustomize', () => {
    /** kustomize build of a kustomization written in a directory of its own. */
    function build(lines: (dir: string) => string[]): Obj[] {
      const dir = mkdtempSync(join(work, 'kustomize-'));
      writeFileSync(join(dir, 'kustomization.yaml'), lines(dir).join('\n') + '\n');
      const r = run(goTool('helm', 'kustomize'), ['build', dir]);
      if (r.code !== 0) throw new Error(`kustomize build: ${r.stderr}`);
      return parseDocs(r.stdout);
    }
    /** kustomize takes only relative paths to other kustomizations. */
    const rel = (from: string, p: string) => relative(from, join(KUSTOMIZE_DIR, p));

    it('deploy/kustomize/default equals the chart rendered with cert-manager (names, flags, webhooks)', () => {
      const r = run(goTool('helm', 'kustomize'), ['build', join(KUSTOMIZE_DIR, 'default')]);
      expect(r.code, r.stderr).toBe(0);
      const built = parseDocs(r.stdout);
      const chart = render({ crds: { keep: false } });
      const strip = (o: Obj) => {
        const copy = JSON.parse(JSON.stringify(o)) as Obj;
        const clean = (labels?: Record<string, string>) => {
          if (labels === undefined) return;
          delete labels['helm.sh/chart'];
          delete labels['app.kubernetes.io/managed-by'];
        };
        clean(copy.metadata.labels);
        clean(
          (
            copy.spec as
              { template?: { metadata?: { labels?: Record<string, string> } } } | undefined
          )?.template?.metadata?.labels,
        );
        return canonical(copy);
      };
      const byKey = (objs: Obj[]) =>
        new Map(objs.map((o) => [`${o.kind}/${o.metadata.name}`, strip(o)]));
      const fromKustomize = byKey(built.filter((o) => o.kind !== 'Namespace'));
      const fromHelm = byKey(chart);
      expect([...fromKustomize.keys()].sort()).toEqual([...fromHelm.keys()].sort());
      for (const [key, obj] of fromHelm) expect(fromKustomize.get(key), key).toEqual(obj);
      const ns = find(built, 'Namespace', 'lynq-system');
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      for (const o of built)
        expect(o.metadata.labels?.['app.kubernetes.io/managed-by'] ?? 'kustomize').toBe(
          'kustomize',
        );
    });

    it('base, base + cert-manager + monitoring: accepted by the API server (dry run, in this namespace)', async () => {
      for (const components of [[], ['cert-manager', 'monitoring']]) {
        const objs = build((dir) => [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          `namespace: ${s.namespace}`,
          'resources:',
          `  - ${rel(dir, 'base')}`,
          ...(components.length > 0
            ? ['components:', ...components.map((c) => `  - ${rel(dir, `components/${c}`)}`)]
            : []),
        ]);
        // The Namespace object becomes this file's namespace; everything else lands in it.
        for (const o of objs)
          if (o.metadata.namespace !== undefined)
            expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(s.namespace);
        expect(await applyAll(objs, true), components.join('+') || 'base').toEqual([]);
      }
    }, 120_000);
  });
});

/** Lists of named items sorted by name (kustomize's merge may reorder them), keys sorted. */
function canonical<T>(value: T): T {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    if (
      items.every(
        (i) =>
          typeof i === 'object' && i !== null && typeof (i as { name?: unknown }).name === 'string',
      )
    )
      items.sort((a, b) =>
        String((a as { name: string }).name).localeCompare(String((b as { name: string }).name)),
      );
    return items as T;
  }
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    ) as T;
  return value;
}

/** One HTTPS request to 127.0.0.1 (POST with a JSON body when given); status and body text. */
function httpsRequest(options: {
  port: number;
  path: string;
  body?: unknown;
  ca?: string;
  servername?: string;
  rejectUnauthorized?: boolean;
}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequestRaw(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: payload === undefined ? 'GET' : 'POST',
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.servername !== undefined ? { servername: options.servername } : {}),
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`https 127.0.0.1:${options.port} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
