// A form author aiming a form's resources at namespaces and cluster-scoped kinds the operator
// did not allow: every such target is refused with the field and the reason.
import { parseForm, type LynqForm } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import {
  checkTarget,
  DEFAULT_TARGET_POLICY,
  isBuiltinClusterScoped,
  qualifiedKind,
  targetPolicyCheck,
  type TargetPolicy,
} from './target-policy.js';

const node = { nodeNamespace: 'tenants' };

function form(spec: Record<string, unknown>, namespace = 'tenants'): LynqForm {
  const parsed = parseForm({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'f', namespace },
    spec: { hubId: 'h', ...spec },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

describe('checkTarget with the default policy', () => {
  const p = DEFAULT_TARGET_POLICY;
  const cm = (namespace: string | undefined) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'x',
    namespace,
    clusterScoped: false,
    ...node,
  });

  it('admits the node namespace and ordinary other namespaces (Lynq’s namespace-per-node)', () => {
    expect(checkTarget(p, cm('tenants'))).toEqual({ allowed: true });
    expect(checkTarget(p, cm(undefined))).toEqual({ allowed: true });
    expect(checkTarget(p, cm('acme'))).toEqual({ allowed: true });
  });

  it('refuses kube-system, kube-public and kube-node-lease, naming targetNamespace', () => {
    for (const ns of ['kube-system', 'kube-public', 'kube-node-lease']) {
      const v = checkTarget(p, cm(ns));
      expect(v).toMatchObject({ allowed: false, field: 'targetNamespace' });
      expect(!v.allowed && v.message).toContain(`"${ns}", a protected namespace`);
    }
  });

  it('lets a hub that lives in a protected namespace write there (its author already can)', () => {
    expect(checkTarget(p, { ...cm('kube-system'), nodeNamespace: 'kube-system' }).allowed).toBe(
      true,
    );
  });

  it('refuses cluster-scoped RBAC and other cluster-scoped kinds, naming spec.kind', () => {
    for (const [apiVersion, kind] of [
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
      ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'],
      ['example.com/v1', 'Cluster'],
    ] as const) {
      const v = checkTarget(p, { apiVersion, kind, name: 'x', clusterScoped: true, ...node });
      expect(v).toMatchObject({ allowed: false, field: 'kind' });
      expect(!v.allowed && v.message).toContain(
        `${qualifiedKind(apiVersion, kind)} is cluster-scoped`,
      );
      expect(!v.allowed && v.message).toContain('--cluster-scoped-kinds');
    }
  });

  it('admits Namespace objects, but never one named after a protected namespace', () => {
    const ns = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      name,
      clusterScoped: true,
      ...node,
    });
    expect(checkTarget(p, ns('acme')).allowed).toBe(true);
    expect(checkTarget(p, ns('kube-system'))).toMatchObject({
      allowed: false,
      field: 'nameTemplate',
    });
  });

  it('does not mistake look-alike names for allowed or protected ones', () => {
    // Cyrillic "е" and a trailing space: different strings, so ordinary namespaces here; the
    // name check of the apply path refuses them as namespaces (not DNS labels).
    expect(checkTarget(p, cm('kube-systеm')).allowed).toBe(true);
    expect(checkTarget(p, cm('Kube-System')).allowed).toBe(true);
  });
});

describe('checkTarget with a narrowed policy', () => {
  const p: TargetPolicy = {
    namespaces: ['tenant-*', 'shared'],
    protectedNamespaces: [...DEFAULT_TARGET_POLICY.protectedNamespaces, 'tenant-admin'],
    clusterScopedKinds: [],
  };
  const cm = (namespace: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'x',
    namespace,
    clusterScoped: false,
    ...node,
  });

  it('admits only the listed namespaces and prefixes, protected ones excepted', () => {
    expect(checkTarget(p, cm('tenant-acme')).allowed).toBe(true);
    expect(checkTarget(p, cm('shared')).allowed).toBe(true);
    expect(checkTarget(p, cm('tenants')).allowed).toBe(true); // the node's own
    const other = checkTarget(p, cm('default'));
    expect(other).toMatchObject({ allowed: false, field: 'targetNamespace' });
    expect(!other.allowed && other.message).toContain('--target-namespaces=tenant-*,shared');
    expect(checkTarget(p, cm('tenant-admin')).allowed).toBe(false);
    expect(checkTarget(p, cm('sharedx')).allowed).toBe(false);
  });

  it('refuses even Namespace objects when no cluster-scoped kind is allowed', () => {
    const v = checkTarget(p, {
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'tenant-acme',
      clusterScoped: true,
      ...node,
    });
    expect(v).toMatchObject({ allowed: false, field: 'kind' });
    expect(!v.allowed && v.message).toContain('(none)');
  });

  it('`*` admits every cluster-scoped kind (Lynq’s behaviour)', () => {
    const all = { ...p, clusterScopedKinds: ['*'] };
    expect(
      checkTarget(all, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        name: 'r',
        clusterScoped: true,
        ...node,
      }).allowed,
    ).toBe(true);
  });
});

describe('targetPolicyCheck at admission', () => {
  const check = targetPolicyCheck(DEFAULT_TARGET_POLICY);

  it('refuses literal kube-system targets and cluster RBAC with field paths', () => {
    const f = form({
      configMaps: [
        {
          id: 'c',
          nameTemplate: 'c',
          targetNamespace: 'kube-system',
          spec: { apiVersion: 'v1', kind: 'ConfigMap' },
        },
      ],
      namespaces: [
        { id: 'n', nameTemplate: 'kube-public', spec: { apiVersion: 'v1', kind: 'Namespace' } },
      ],
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
            subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'tenants' }],
          },
        },
      ],
    });
    const paths = (check(f).errors ?? []).map((e) => e.path);
    expect(paths).toEqual([
      'spec.configMaps[0].targetNamespace',
      'spec.namespaces[0].nameTemplate',
      'spec.manifests[0].spec.kind',
    ]);
  });

  it('leaves templated namespaces and names to the apply path, and admits ordinary forms', () => {
    const f = form({
      configMaps: [
        {
          id: 'c',
          nameTemplate: 'c',
          targetNamespace: '{{ .ns }}',
          spec: { apiVersion: 'v1', kind: 'ConfigMap' },
        },
      ],
      namespaces: [
        { id: 'n', nameTemplate: '{{ .uid }}', spec: { apiVersion: 'v1', kind: 'Namespace' } },
      ],
      manifests: [
        { id: 'w', nameTemplate: 'w', spec: { apiVersion: 'example.com/v1', kind: 'Widget' } },
      ],
    });
    expect(check(f).errors).toEqual([]);
  });

  it('knows built-in cluster-scoped kinds in any version, not namespaced ones', () => {
    expect(isBuiltinClusterScoped('rbac.authorization.k8s.io/v1beta1', 'ClusterRole')).toBe(true);
    expect(isBuiltinClusterScoped('rbac.authorization.k8s.io/v1', 'Role')).toBe(false);
    expect(isBuiltinClusterScoped('v1', 'Namespace')).toBe(true);
    expect(isBuiltinClusterScoped('v1', 'ConfigMap')).toBe(false);
  });
});
