import type { LynqNode } from '@lynq/api';
import { renderForm } from '@lynq/render';
import { DEFAULT_TARGET_POLICY } from '@lynq/policy';
import { describe, expect, it } from 'vitest';
import { nodeVariables } from './node-variables.js';
import { planNode, type NodePlan } from './plan-node.js';
import type { ScopeOf } from './resource-key.js';
import { form, hub, plan, row, stored } from './testdata/fixtures.js';

const CLUSTER_KINDS = new Set(['Namespace', 'ClusterRole']);
const SERVED = new Map([
  ['v1', ['ConfigMap', 'Service', 'Namespace', 'Secret']],
  ['apps/v1', ['Deployment']],
  ['rbac.authorization.k8s.io/v1', ['ClusterRole']],
  ['policy/v1', ['PodDisruptionBudget']],
  ['example.com/v1', ['Widget']],
  ['other.io/v1', ['Widget']],
]);
/** What discovery would say on a cluster serving the kinds above. */
const scopeOf: ScopeOf = (apiVersion, kind) =>
  SERVED.get(apiVersion)?.includes(kind)
    ? CLUSTER_KINDS.has(kind)
      ? 'Cluster'
      : 'Namespaced'
    : undefined;
const versionsOfKind = (kind: string) =>
  [...SERVED].filter(([, kinds]) => kinds.includes(kind)).map(([v]) => v);

function nodeFor(
  uid: string,
  f = form('web'),
  extras: Record<string, string> = { plan: '2' },
): LynqNode {
  const p = plan({
    hub: hub(),
    forms: [f],
    fetch: { ok: true, rows: [row(uid, extras)], problems: [] },
    existing: [],
  });
  return stored(p.create[0]!);
}

function objects(node: LynqNode, p: NodePlan = planNode(node)) {
  if (!p.ok) throw p.error;
  const rendered = renderForm(p.source, p.variables, { namespace: p.namespace });
  return p.objects(rendered, scopeOf);
}

describe('nodeVariables', () => {
  it('reads the variables back from the annotations the hub wrote', () => {
    const result = nodeVariables(nodeFor('acme'));
    expect(result).toEqual({
      ok: true,
      variables: { plan: '2', uid: 'acme', activate: '1', hubId: 'tenants', templateRef: 'web' },
    });
  });

  it('defaults activate to "true", keeps hostOrUrl only when annotated (no uid fallback)', () => {
    const node = nodeFor('acme');
    delete node.metadata.annotations!['lynq.sh/activate'];
    const v = nodeVariables(node);
    expect(v.ok && v.variables.activate).toBe('true');
    expect(v.ok && 'hostOrUrl' in v.variables).toBe(false);
    node.metadata.annotations!['lynq.sh/hostOrUrl'] = 'https://acme.example.com:8443/x';
    const w = nodeVariables(node);
    expect(w.ok && [w.variables.hostOrUrl, w.variables.host]).toEqual([
      'https://acme.example.com:8443/x',
      'acme.example.com',
    ]);
  });

  it('reports bad extra JSON as a VariablesBuildError on the annotation', () => {
    for (const bad of ['{', '[]', '"x"', '{"a":1}']) {
      const node = nodeFor('acme');
      node.metadata.annotations!['lynq.sh/extra'] = bad;
      const result = nodeVariables(node);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.kind).toBe('VariablesBuildError');
      expect(result.error.field).toBe("metadata.annotations['lynq.sh/extra']");
      expect(result.error.message).toMatch(
        /^failed to build variables: annotation lynq\.sh\/extra is not a JSON object of strings: /,
      );
    }
    const nullExtras = nodeFor('acme');
    nullExtras.metadata.annotations!['lynq.sh/extra'] = 'null';
    expect(nodeVariables(nullExtras).ok).toBe(true);
  });

  it('keeps extra variables named like Object.prototype members as variables', () => {
    const node = nodeFor('acme');
    node.metadata.annotations!['lynq.sh/extra'] = '{"__proto__":"p","constructor":"c"}';
    const v = nodeVariables(node);
    expect(v.ok && Object.getOwnPropertyDescriptor(v.variables, '__proto__')?.value).toBe('p');
    expect(v.ok && v.variables.constructor).toBe('c');
  });

  it('has nothing to render for a node without spec', () => {
    const node = nodeFor('acme');
    delete node.spec;
    const v = nodeVariables(node);
    expect(!v.ok && [v.error.kind, v.error.field]).toEqual(['VariablesBuildError', 'spec']);
  });
});

describe('planNode', () => {
  it('renders the node’s own spec copy and groups objects by dependency level', () => {
    const f = form('web', {
      services: [
        {
          id: 'svc',
          nameTemplate: '{{ .uid }}-svc',
          dependIds: ['app'],
          waitForReady: false,
          spec: { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } },
        },
      ],
      namespaces: [
        {
          id: 'ns',
          nameTemplate: '{{ .uid }}-ns',
          deletionPolicy: 'Retain',
          spec: { apiVersion: 'v1', kind: 'Namespace' },
        },
      ],
    });
    const node = nodeFor('acme', f);
    const p = planNode(node, f);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.syntax).toBe('go');
    expect(p.namespace).toBe('apps');
    const o = objects(node, p);
    expect(o.errors).toEqual([]);
    expect(o.levels.map((l) => l.map((x) => x.id))).toEqual([['app', 'config', 'ns'], ['svc']]);
    const [app, config, ns] = o.levels[0]!;
    expect(app!.key).toEqual({
      apiVersion: 'apps/v1',
      group: 'apps',
      kind: 'Deployment',
      namespace: 'acme-ns',
      name: 'acme-app',
      id: 'app',
    });
    expect(app!.manifest).toMatchObject({
      metadata: { name: 'acme-app', namespace: 'acme-ns', labels: { plan: '2', tier: 'web' } },
      spec: { replicas: 2 },
    });
    expect(config!.key).toMatchObject({ namespace: 'apps', name: 'acme-config', group: '' });
    // Cluster-scoped: no namespace in the key or the object.
    expect(ns!.scope).toBe('Cluster');
    expect(ns!.key).toEqual({
      apiVersion: 'v1',
      group: '',
      kind: 'Namespace',
      name: 'acme-ns',
      id: 'ns',
    });
    expect(ns!.manifest!.metadata).not.toHaveProperty('namespace');
    expect(ns!.policies.deletionPolicy).toBe('Retain');
    const svc = o.levels[1]![0]!;
    expect(svc.level).toBe(1);
    expect(svc.dependIds).toEqual(['app']);
    expect(svc.policies.waitForReady).toBe(false);
    expect(o.tracked.map((k) => k.id)).toEqual(['app', 'config', 'ns', 'svc']);
    expect(o.orphans).toEqual([]);
  });

  it('takes the scope of every kind from discovery, not from a list', () => {
    const f = form('web', {
      manifests: [
        {
          id: 'role',
          nameTemplate: '{{ .uid }}-reader',
          spec: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules: [] },
        },
        { id: 'widget', nameTemplate: 'w', spec: { apiVersion: 'example.com/v1', kind: 'Widget' } },
        { id: 'gadget', nameTemplate: 'g', spec: { apiVersion: 'example.com/v1', kind: 'Gadget' } },
      ],
    });
    // ClusterRoles need the operator's consent (--cluster-scoped-kinds; see target-policy).
    const node = nodeFor('acme', f);
    const o = objects(
      node,
      planNode(node, undefined, {
        targets: {
          ...DEFAULT_TARGET_POLICY,
          clusterScopedKinds: ['ClusterRole.rbac.authorization.k8s.io'],
        },
      }),
    );
    const byId = new Map(o.objects.map((x) => [x.id, x]));
    expect(byId.get('role')!.key).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      group: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'acme-reader',
      id: 'role',
    });
    expect(byId.get('role')!.manifest!.metadata).not.toHaveProperty('namespace');
    expect(byId.get('widget')!.key).toMatchObject({ group: 'example.com', namespace: 'apps' });
    expect(byId.get('gadget')!.key).toBeUndefined();
    expect(o.errors).toEqual([
      {
        resourceId: 'gadget',
        path: 'spec.manifests[2].spec.kind',
        code: 'UnknownKind',
        message: 'the API server serves no kind Gadget in example.com/v1',
      },
    ]);
  });

  it('reports template errors per resource, the others still planned', () => {
    const f = form('web', {
      secrets: [
        {
          id: 'secret',
          nameTemplate: 'token',
          spec: { apiVersion: 'v1', kind: 'Secret', stringData: { token: '{{ .nope }}' } },
        },
      ],
    });
    const o = objects(nodeFor('acme', f));
    const secret = o.objects.find((x) => x.id === 'secret')!;
    expect(secret.manifest).toBeUndefined();
    expect(secret.errors[0]).toMatchObject({
      code: 'TemplateError',
      resourceId: 'secret',
      path: 'spec.secrets[0].spec.stringData.token',
    });
    expect(o.objects.filter((x) => x.manifest).map((x) => x.id)).toEqual(['app', 'config']);
  });

  it('returns a DependencyError for a cycle in the node’s spec', () => {
    const node = nodeFor('acme');
    node.spec!.configMaps![0]!.dependIds = ['app'];
    node.spec!.deployments![0]!.dependIds = ['config'];
    const p = planNode(node);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.error.kind).toBe('DependencyError');
    expect(p.error.message).toBe(
      'dependency validation failed: circular dependency detected: app -> config -> app',
    );
    expect(p.error.details).toEqual([
      'spec.deployments[0]: circular dependency detected: app -> config -> app',
    ]);
  });

  it('takes the syntax from the node, then the form (or a compiled form), then go', () => {
    const node = nodeFor('acme');
    const viaForm = planNode(node, { spec: { templateSyntax: 'nunjucks' } });
    expect(viaForm.ok && viaForm.syntax).toBe('nunjucks');
    const viaCompiled = planNode(node, { syntax: 'nunjucks' });
    expect(viaCompiled.ok && viaCompiled.source.spec.templateSyntax).toBe('nunjucks');
    node.spec!.templateSyntax = 'go';
    const own = planNode(node, { syntax: 'nunjucks' });
    expect(own.ok && own.syntax).toBe('go');
  });
});

describe('planNode: orphans', () => {
  const ref = (apiVersion: string, kind: string, name: string, id: string, namespace?: string) => ({
    apiVersion,
    kind,
    name,
    id,
    ...(namespace ? { namespace } : {}),
  });

  it('is status.appliedResourceRefs minus what renders now, by object identity', () => {
    const node = nodeFor('acme');
    node.status = {
      appliedResourceRefs: [
        ref('apps/v1', 'Deployment', 'acme-app', 'app', 'acme-ns'),
        // Same object under another version and id: not an orphan.
        ref('v1', 'ConfigMap', 'acme-config', 'old-id', 'apps'),
        ref('v1', 'ConfigMap', 'acme-old', 'old', 'apps'),
        ref('policy/v1', 'PodDisruptionBudget', 'acme-pdb', 'pdb', 'apps'),
        ref('example.com/v1', 'Widget', 'w1', 'widget', 'apps'),
        ref('rbac.authorization.k8s.io/v1', 'ClusterRole', 'acme-reader', 'role'),
      ],
    };
    const o = objects(node);
    expect(o.orphans).toEqual([
      {
        apiVersion: 'v1',
        group: '',
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'acme-old',
        id: 'old',
      },
      {
        apiVersion: 'policy/v1',
        group: 'policy',
        kind: 'PodDisruptionBudget',
        namespace: 'apps',
        name: 'acme-pdb',
        id: 'pdb',
      },
      {
        apiVersion: 'example.com/v1',
        group: 'example.com',
        kind: 'Widget',
        namespace: 'apps',
        name: 'w1',
        id: 'widget',
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'acme-reader',
        id: 'role',
      },
    ]);
  });

  it('keeps the applied object of a resource that failed to render (never an orphan)', () => {
    const f = form('web', {
      configMaps: [
        {
          id: 'config',
          nameTemplate: '{{ .size }}',
          spec: { apiVersion: 'v1', kind: 'ConfigMap' },
        },
      ],
    });
    const node = nodeFor('acme', form('web'));
    node.spec = { ...node.spec!, configMaps: f.spec.configMaps };
    node.status = {
      appliedResourceRefs: [ref('v1', 'ConfigMap', 'acme-config', 'config', 'apps')],
    };
    const o = objects(node);
    expect(o.orphans).toEqual([]);
    expect(o.tracked.map((k) => `${k.kind}/${k.name}`)).toEqual([
      'Deployment/acme-app',
      'ConfigMap/acme-config',
    ]);
  });

  it('reads Lynq’s appliedResources strings, resolving their apiVersion without guessing', () => {
    const node = nodeFor('acme');
    node.status = {
      appliedResources: [
        'Deployment/{{ .uid }}-ns/acme-app@app', // Lynq's raw targetNamespace: still rendered
        'ConfigMap/apps/acme-config@config',
        'Deployment/acme-ns/acme-old@old-app', // resolved through discovery (one group)
        'Namespace/apps/acme-ns@ns', // cluster-scoped, Lynq wrote the node's namespace
        'Widget/apps/w1@widget', // served by two groups: unresolved
        'Secret/{{ .uid }}-ns/gone@gone', // template namespace and no resource left: unresolved
        'nonsense',
      ],
    };
    const p = planNode(node, undefined, { versionsOfKind });
    const o = objects(node, p);
    expect(o.orphans).toEqual([
      {
        apiVersion: 'apps/v1',
        group: 'apps',
        kind: 'Deployment',
        namespace: 'acme-ns',
        name: 'acme-old',
        id: 'old-app',
      },
      { apiVersion: 'v1', group: '', kind: 'Namespace', name: 'acme-ns', id: 'ns' },
    ]);
    expect(o.unresolved).toEqual([
      {
        entry: 'Widget/apps/w1@widget',
        reason: 'the kind Widget is served by several API groups (example.com, other.io)',
      },
      {
        entry: 'Secret/{{ .uid }}-ns/gone@gone',
        reason: 'the namespace "{{ .uid }}-ns" is template text, not a namespace',
      },
      { entry: 'nonsense', reason: 'not of the form Kind/namespace/name@id' },
    ]);
  });
});
