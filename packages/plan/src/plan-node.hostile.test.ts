// Hostile rows and forms on the apply path: whatever a template computes from row data, an
// object outside the target policy, with a name Kubernetes would refuse, or one that would bend
// a request path is refused here with the resource, the field and the reason, and never applied.
import type { LynqForm, LynqNode } from '@lynq/api';
import { DEFAULT_TARGET_POLICY, type TargetPolicy } from '@lynq/policy';
import { renderForm } from '@lynq/render';
import { describe, expect, it } from 'vitest';
import { checkForm } from './check-form.js';
import { planNode, type NodeObjects } from './plan-node.js';
import type { ScopeOf } from './resource-key.js';
import { form, hub, plan, row, stored } from './testdata/fixtures.js';

const CLUSTER = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const scopeOf: ScopeOf = (apiVersion, kind) =>
  apiVersion === 'example.com/v1' && kind === 'Gadget'
    ? undefined
    : CLUSTER.has(kind)
      ? 'Cluster'
      : 'Namespaced';

function nodeFor(f: LynqForm, value: string, uid = 'acme'): LynqNode {
  const p = plan({
    hub: hub(),
    forms: [f],
    fetch: { ok: true, rows: [row(uid, { plan: value })], problems: [] },
    existing: [],
  });
  return stored(p.create[0]!);
}

function objects(node: LynqNode, targets?: TargetPolicy): NodeObjects {
  const p = planNode(node, undefined, targets ? { targets } : {});
  if (!p.ok) throw p.error;
  return p.objects(renderForm(p.source, p.variables, { namespace: p.namespace }), scopeOf);
}

/** A form of one ConfigMap whose namespace, name or label come from the row's `plan` value. */
function cmForm(fields: { targetNamespace?: string; nameTemplate?: string; label?: string }) {
  return form('web', {
    deployments: [],
    configMaps: [
      {
        id: 'cm',
        nameTemplate: fields.nameTemplate ?? 'cm',
        ...(fields.targetNamespace ? { targetNamespace: fields.targetNamespace } : {}),
        ...(fields.label ? { labelsTemplate: { v: fields.label } } : {}),
        spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { v: '{{ .plan }}' } },
      },
    ],
  });
}

function only(o: NodeObjects) {
  expect(o.objects).toHaveLength(1);
  return o.objects[0]!;
}

describe('a row steering a templated targetNamespace', () => {
  const f = cmForm({ targetNamespace: '{{ .plan }}' });

  it('cannot reach kube-system: TargetRefused on targetNamespace, nothing to apply', () => {
    const o = only(objects(nodeFor(f, 'kube-system')));
    expect(o.manifest).toBeUndefined();
    expect(o.key).toBeUndefined();
    expect(o.errors).toEqual([
      {
        resourceId: 'cm',
        path: 'spec.configMaps[0].targetNamespace',
        code: 'TargetRefused',
        message: expect.stringContaining('"kube-system", a protected namespace') as string,
      },
    ]);
  });

  it('cannot leave the allowed namespaces of a narrowed policy', () => {
    const narrowed = { ...DEFAULT_TARGET_POLICY, namespaces: ['tenant-*'] };
    expect(only(objects(nodeFor(f, 'tenant-acme'), narrowed)).errors).toEqual([]);
    const o = only(objects(nodeFor(f, 'default'), narrowed));
    expect(o.errors[0]).toMatchObject({ code: 'TargetRefused' });
    expect(o.errors[0]!.message).toContain('--target-namespaces=tenant-*');
  });

  it('cannot bend the request path or use look-alikes: the namespace must be a DNS label', () => {
    for (const value of [
      '../../apis/rbac.authorization.k8s.io/v1/clusterroles',
      'a/b',
      'x%2F..',
      '..',
      'Kube-System',
      'kube-systеm', // Cyrillic е
      'kube-system ',
      'ns\n---\nkind: ClusterRole',
      'a'.repeat(64),
    ]) {
      const o = only(objects(nodeFor(f, value)));
      expect(o.manifest, value).toBeUndefined();
      expect(o.errors[0], value).toMatchObject({
        code: 'InvalidName',
        path: 'spec.configMaps[0].targetNamespace',
      });
    }
  });

  it('an empty value falls back to the node’s namespace', () => {
    expect(only(objects(nodeFor(f, ''))).key?.namespace).toBe('apps');
  });
});

describe('names computed from rows', () => {
  it('longer than 253 characters: InvalidName on nameTemplate, saying the limit', () => {
    const o = only(objects(nodeFor(cmForm({ nameTemplate: '{{ .plan }}' }), 'a'.repeat(254))));
    expect(o.errors[0]).toMatchObject({
      code: 'InvalidName',
      path: 'spec.configMaps[0].nameTemplate',
    });
    expect(o.errors[0]!.message).toContain('254 characters long');
    expect(o.errors[0]!.message).toContain('at most 253');
    // Exactly 253 is a valid name.
    expect(
      only(objects(nodeFor(cmForm({ nameTemplate: '{{ .plan }}' }), 'a'.repeat(253)))).errors,
    ).toEqual([]);
  });

  it('Namespace and Service names longer than 63 characters are refused', () => {
    const f = form('web', {
      deployments: [],
      configMaps: [],
      namespaces: [
        { id: 'ns', nameTemplate: '{{ .plan }}', spec: { apiVersion: 'v1', kind: 'Namespace' } },
      ],
      services: [
        { id: 'svc', nameTemplate: '{{ .plan }}', spec: { apiVersion: 'v1', kind: 'Service' } },
      ],
    });
    const o = objects(nodeFor(f, 'b'.repeat(64)));
    expect(o.errors.map((e) => [e.resourceId, e.code, e.path])).toEqual([
      ['ns', 'InvalidName', 'spec.namespaces[0].nameTemplate'],
      ['svc', 'InvalidName', 'spec.services[0].nameTemplate'],
    ]);
    expect(o.errors[0]!.message).toContain('at most 63');
  });

  it('names that are path segments of their own (".", "..", "/", "%") are refused', () => {
    for (const value of ['..', '.', 'a/b', '%2e%2e', '../secrets/x']) {
      const o = only(objects(nodeFor(cmForm({ nameTemplate: '{{ .plan }}' }), value)));
      expect(o.manifest, value).toBeUndefined();
      expect(o.errors[0], value).toMatchObject({ code: 'InvalidName' });
    }
  });

  it('label values longer than 63 characters or with structure in them are refused', () => {
    for (const value of ['c'.repeat(64), 'a: b\nc: d', 'x"y']) {
      const o = only(objects(nodeFor(cmForm({ label: '{{ .plan }}' }), value)));
      expect(o.errors[0], value).toMatchObject({
        code: 'InvalidName',
        path: 'spec.configMaps[0].labelsTemplate',
      });
    }
  });

  it('a Namespace named by a row after a protected namespace is refused', () => {
    const f = form('web', {
      deployments: [],
      configMaps: [],
      namespaces: [
        { id: 'ns', nameTemplate: '{{ .plan }}', spec: { apiVersion: 'v1', kind: 'Namespace' } },
      ],
    });
    expect(only(objects(nodeFor(f, 'acme'))).errors).toEqual([]);
    expect(only(objects(nodeFor(f, 'kube-system'))).errors[0]).toMatchObject({
      code: 'TargetRefused',
      path: 'spec.namespaces[0].nameTemplate',
    });
  });
});

describe('cluster-scoped kinds', () => {
  const f = form('web', {
    deployments: [],
    configMaps: [],
    manifests: [
      {
        id: 'admin',
        nameTemplate: '{{ .uid }}-admin',
        spec: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'apps' }],
        },
      },
    ],
  });

  it('a ClusterRoleBinding to cluster-admin is refused unless the operator allows the kind', () => {
    const o = only(objects(nodeFor(f, '1')));
    expect(o.manifest).toBeUndefined();
    expect(o.errors[0]).toMatchObject({
      code: 'TargetRefused',
      path: 'spec.manifests[0].spec.kind',
    });
    expect(o.errors[0]!.message).toContain(
      'ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped',
    );
    const allowed = {
      ...DEFAULT_TARGET_POLICY,
      clusterScopedKinds: ['Namespace', 'ClusterRoleBinding.rbac.authorization.k8s.io'],
    };
    expect(only(objects(nodeFor(f, '1'), allowed)).manifest).toBeDefined();
  });

  it('is refused at admission too, and a refused resource keeps what it applied before', async () => {
    const checked = await checkForm(f, { templates: () => ({}) });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors.map((e) => e.path)).toEqual([
      'spec.manifests[0].spec.kind',
    ]);
    // Applied while the operator allowed it; now refused: tracked, not an orphan to delete.
    const node = nodeFor(f, '1');
    node.status = {
      appliedResourceRefs: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          name: 'acme-admin',
          id: 'admin',
        },
      ],
    };
    const o = objects(node);
    expect(o.orphans).toEqual([]);
    expect(o.tracked.map((k) => k.name)).toEqual(['acme-admin']);
  });
});

describe('size and depth', () => {
  it('plans a form of 1,000 resources in bounded time', () => {
    const configMaps = Array.from({ length: 1000 }, (_, i) => ({
      id: `cm-${i}`,
      nameTemplate: `{{ .uid }}-${i}`,
      ...(i > 0 ? { dependIds: [`cm-${i - 1}`] } : {}),
      spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { i: `{{ .plan }}-${i}` } },
    }));
    const f = form('web', { deployments: [], configMaps });
    const started = performance.now();
    const o = objects(nodeFor(f, 'x'));
    const ms = performance.now() - started;
    expect(o.objects).toHaveLength(1000);
    expect(o.levels).toHaveLength(1000);
    expect(o.errors).toEqual([]);
    expect(ms).toBeLessThan(10_000);
  });

  it('renders and plans a spec nested 500 levels deep; refuses one past the API’s limit with a path', async () => {
    const nest = (depth: number): Record<string, unknown> => {
      let v: Record<string, unknown> = { leaf: '{{ .plan }}' };
      for (let i = 0; i < depth; i++) v = { n: v };
      return v;
    };
    const f = form('web', {
      deployments: [],
      configMaps: [
        {
          id: 'deep',
          nameTemplate: 'deep',
          spec: { apiVersion: 'v1', kind: 'ConfigMap', x: nest(500) },
        },
      ],
    });
    expect(only(objects(nodeFor(f, 'v'))).manifest).toBeDefined();
    const tooDeep = {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'deep', namespace: 'apps' },
      spec: {
        hubId: 'tenants',
        configMaps: [{ id: 'd', nameTemplate: 'd', spec: { kind: 'ConfigMap', x: nest(5000) } }],
      },
    };
    const checked = await checkForm(tooDeep, { templates: () => ({}) });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors[0]!.message).toMatch(/nested more than \d+ levels deep/);
  });
});
