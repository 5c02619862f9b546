// A form author aiming at kube-system or cluster-wide RBAC through the admission webhook: the
// review is denied with the field and the reason, as the API server shows it; the operator's own
// target policy (its flags) decides, and templated targets are left to the apply path.
import { DEFAULT_TARGET_POLICY } from '@lynq/policy';
import { validateTemplates } from '@lynq/render';
import { describe, expect, it } from 'vitest';
import type { AdmissionRequest } from './admission-review.js';
import { ADMISSION_ROUTES, LynqAdmission } from './lynq-admission.js';
import { Webhooks } from '@lynq/api';

const route = ADMISSION_ROUTES.get(Webhooks.ValidateFormPath)!;
const budget = { templateBudgetMs: 5_000 };

const form = (spec: Record<string, unknown>): AdmissionRequest => ({
  uid: 'req-hostile',
  kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
  operation: 'CREATE',
  namespace: 'apps',
  object: {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { hubId: 'tenants', ...spec },
  },
});

const clusterAdmin = {
  id: 'escalate',
  nameTemplate: '{{ .uid }}-admin',
  spec: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'apps' }],
  },
};
const intoKubeSystem = {
  id: 'planted',
  nameTemplate: 'planted',
  targetNamespace: 'kube-system',
  spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
};

describe('admission of forms that reach outside their bounds', () => {
  it('denies kube-system targets and a ClusterRoleBinding by default, naming each field', async () => {
    const admission = new LynqAdmission({ templates: validateTemplates });
    const res = await admission.review(
      route,
      form({ manifests: [clusterAdmin], configMaps: [intoKubeSystem] }),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status!.details!.causes!.map((c) => c.field).sort()).toEqual([
      'spec.configMaps[0].targetNamespace',
      'spec.manifests[0].spec.kind',
    ]);
    expect(res.status!.message).toContain('"kube-system", a protected namespace');
    expect(res.status!.message).toContain(
      'ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped',
    );
  });

  it('follows the operator’s flags: allowed kinds and namespaces are admitted', async () => {
    const admission = new LynqAdmission({
      templates: validateTemplates,
      targets: {
        namespaces: ['*'],
        protectedNamespaces: [],
        clusterScopedKinds: ['Namespace', 'ClusterRoleBinding.rbac.authorization.k8s.io'],
      },
    });
    const res = await admission.review(
      route,
      form({ manifests: [clusterAdmin], configMaps: [intoKubeSystem] }),
      budget,
    );
    expect(res.allowed).toBe(true);
  });

  it('admits a templated namespace (judged per row when applied) and a narrowed list refuses others', async () => {
    const templated = { ...intoKubeSystem, targetNamespace: '{{ .uid }}' };
    const open = new LynqAdmission({ templates: validateTemplates });
    expect((await open.review(route, form({ configMaps: [templated] }), budget)).allowed).toBe(
      true,
    );
    const narrowed = new LynqAdmission({
      templates: validateTemplates,
      targets: { ...DEFAULT_TARGET_POLICY, namespaces: ['tenant-*'] },
    });
    const res = await narrowed.review(
      route,
      form({ configMaps: [{ ...intoKubeSystem, targetNamespace: 'default' }] }),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('--target-namespaces=tenant-*');
  });
});
