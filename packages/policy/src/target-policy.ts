// Where a LynqForm's resources may land. A form is written by whoever may create LynqForms, and
// its templates can compute a namespace or a name from row data, yet the operator applies with its
// own (cluster-wide) rights. This one decision is used at admission (literal fields, see
// targetPolicyCheck) and again on every apply with the rendered object and the kind's scope from
// discovery (@lynq/plan's planNode), which is the real guard. See docs/hostile-input.md.
import {
  listResources,
  type FieldIssue,
  type FormCheck,
  type FormCheckResult,
  type LynqForm,
} from '@lynq/api';

/** Which namespaces and cluster-scoped kinds a form's resources may target. */
export interface TargetPolicy {
  /**
   * Namespaces besides the node's own that resources may target (and Namespace objects may be
   * named): exact names, or a prefix ending in `*`; `*` alone admits any.
   */
  readonly namespaces: readonly string[];
  /**
   * Namespaces no resource may target and no Namespace object may be named, whatever `namespaces`
   * says. The node's own namespace is exempt: whoever may create a hub there already writes there.
   */
  readonly protectedNamespaces: readonly string[];
  /**
   * Cluster-scoped kinds a form may create: `Kind` for the core group (`Namespace`),
   * `Kind.group` otherwise (`ClusterRole.rbac.authorization.k8s.io`); `*` admits any.
   */
  readonly clusterScopedKinds: readonly string[];
}

/** The namespaces Kubernetes itself runs in. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/**
 * Lynq's namespace-per-node pattern keeps working (any ordinary namespace, Namespace objects),
 * while the system namespaces and every other cluster-scoped kind (RBAC, CRDs, webhooks) need
 * the operator's explicit consent.
 */
export const DEFAULT_TARGET_POLICY: TargetPolicy = Object.freeze({
  namespaces: Object.freeze(['*']),
  protectedNamespaces: SYSTEM_NAMESPACES,
  clusterScopedKinds: Object.freeze(['Namespace']),
});

/** One object a node is about to apply. */
export interface TargetInput {
  apiVersion: string;
  kind: string;
  name: string;
  /** The object's namespace; undefined for cluster-scoped objects. */
  namespace?: string | undefined;
  clusterScoped: boolean;
  /** The LynqNode's namespace. */
  nodeNamespace: string;
}

/** Which part of the resource the refusal is about (`targetNamespace`, `nameTemplate`, `spec.kind`). */
export type TargetField = 'targetNamespace' | 'nameTemplate' | 'kind';

export type TargetVerdict =
  { allowed: true } | { allowed: false; field: TargetField; message: string };

/** `Namespace`, `ClusterRole.rbac.authorization.k8s.io`: how kinds are named in the policy. */
export function qualifiedKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${kind}.${apiVersion.slice(0, slash)}`;
}

function matches(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? value.startsWith(p.slice(0, -1)) : p === value));
}

function namespaceVerdict(
  policy: TargetPolicy,
  namespace: string,
  nodeNamespace: string,
  field: TargetField,
  what: string,
): TargetVerdict {
  if (namespace === nodeNamespace) return { allowed: true };
  if (policy.protectedNamespaces.includes(namespace))
    return {
      allowed: false,
      field,
      message: `${what} ${JSON.stringify(namespace)}, a protected namespace (--protected-namespaces); only a hub in that namespace may write there`,
    };
  if (!matches(policy.namespaces, namespace))
    return {
      allowed: false,
      field,
      message: `${what} ${JSON.stringify(namespace)}, which is neither the node's namespace ${JSON.stringify(nodeNamespace)} nor one the operator allows (--target-namespaces=${policy.namespaces.join(',')})`,
    };
  return { allowed: true };
}

/**
 * Whether a rendered object may be applied under the policy, and if not which field is at fault
 * and why. Pure; the caller supplies the kind's scope (from discovery on the apply path).
 */
export function checkTarget(policy: TargetPolicy, input: TargetInput): TargetVerdict {
  if (input.clusterScoped) {
    const kind = qualifiedKind(input.apiVersion, input.kind);
    if (!policy.clusterScopedKinds.includes('*') && !policy.clusterScopedKinds.includes(kind))
      return {
        allowed: false,
        field: 'kind',
        message: `${kind} is cluster-scoped, and the operator allows forms only these cluster-scoped kinds: ${policy.clusterScopedKinds.join(', ') || '(none)'} (--cluster-scoped-kinds)`,
      };
    // A Namespace object's name is a namespace: the same rules as a target namespace.
    if (input.kind === 'Namespace' && input.apiVersion === 'v1')
      return namespaceVerdict(
        policy,
        input.name,
        input.nodeNamespace,
        'nameTemplate',
        'it is the Namespace',
      );
    return { allowed: true };
  }
  return namespaceVerdict(
    policy,
    input.namespace ?? input.nodeNamespace,
    input.nodeNamespace,
    'targetNamespace',
    'it targets namespace',
  );
}

// Built-in kinds known to be cluster-scoped, for admission, where no discovery is at hand. Kinds
// not listed (CRDs) are judged on the apply path, with their scope from discovery.
const CLUSTER_SCOPED = new Set([
  'v1/Namespace',
  'v1/Node',
  'v1/PersistentVolume',
  'v1/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiregistration.k8s.io/APIService',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/** Whether a built-in kind is cluster-scoped (any version of its group); false for unknown kinds. */
export function isBuiltinClusterScoped(apiVersion: string, kind: string): boolean {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? apiVersion : apiVersion.slice(0, slash);
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

const isLiteral = (s: unknown): s is string =>
  typeof s === 'string' && !s.includes('{{') && !s.includes('{%');

/**
 * The admission half of the policy: every resource whose kind, namespace or (for Namespaces) name
 * is literal text is judged now, against `nodeNamespace` = the form's namespace (nodes live in
 * their hub's, which is the form's). Templated values are judged when rendered.
 */
export function targetPolicyCheck(policy: TargetPolicy): FormCheck {
  return (form: LynqForm): FormCheckResult => {
    const errors: FieldIssue[] = [];
    const nodeNamespace = form.metadata.namespace ?? '';
    for (const { path, resource } of listResources(form.spec)) {
      const body = resource.spec as { apiVersion?: unknown; kind?: unknown } | undefined;
      const apiVersion = body?.apiVersion;
      const kind = body?.kind;
      if (!isLiteral(apiVersion) || !isLiteral(kind)) continue;
      const clusterScoped = isBuiltinClusterScoped(apiVersion, kind);
      const name = resource.nameTemplate;
      if (clusterScoped && kind === 'Namespace' && !isLiteral(name)) {
        // The kind alone may be refused; the name waits for the render.
        if (policy.clusterScopedKinds.includes('*') || policy.clusterScopedKinds.includes(kind))
          continue;
      }
      const target = resource.targetNamespace;
      if (!clusterScoped && target && !isLiteral(target)) continue;
      const verdict = checkTarget(policy, {
        apiVersion,
        kind,
        name: isLiteral(name) ? name : '',
        namespace: clusterScoped ? undefined : target || nodeNamespace,
        clusterScoped,
        nodeNamespace,
      });
      if (!verdict.allowed)
        errors.push({
          path: `${path}.${verdict.field === 'kind' ? 'spec.kind' : verdict.field}`,
          message: verdict.message,
        });
    }
    return { errors };
  };
}
