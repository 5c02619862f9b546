// The shape of any Kubernetes object as Lynq's packages pass it around: plain JSON, unknown fields
// kept. One definition for the project; @lynq/runtime, @lynq/apply and @lynq/policy use this one.

/** A reference from an object to the object that owns it (`metadata.ownerReferences[]`). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metadata`: the fields the packages read; anything else is kept as it came. */
export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  deletionTimestamp?: string;
  /** `null` as Go's zero time serialises (kubectl's generated manifests carry it). */
  creationTimestamp?: string | null;
  [field: string]: unknown;
}

/** A Kubernetes object as JSON: apiVersion, kind, metadata and anything else, kept raw. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** Identifies a resource collection of the API: what to list, watch and address. */
export interface ResourceType {
  /** `v1` for the core group, otherwise `group/version`. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The lower-case plural used in URLs, e.g. `configmaps`. */
  readonly plural: string;
  readonly namespaced: boolean;
}
