export {
  Applier,
  type ApplierOptions,
  type ApplierEvent,
  type ApplyOptions,
  type ApplyAction,
  type ApplyResult,
  type BatchOptions,
  type BatchResult,
  type MarkOrphanedOptions,
  type DeleteOptions,
  type ReleaseOptions,
  type ReleaseOutcome,
  type RequestOptions,
} from './applier.js';
export {
  KubeClient,
  type KubeClientOptions,
  type KubeRequest,
  type KubeResponse,
  type HttpMethod,
  type RequestStats,
} from './kube-client.js';
export { RestMapper, type RestMapperOptions } from './rest-mapper.js';
export { type ResourceMapping } from './resource-path.js';
// The project's one REST path builder, from @lynq/runtime: `resourcePath(mapping, namespace, name)`.
export { resourcePath } from '@lynq/runtime';
export {
  ApplyError,
  AbortedError,
  ApiError,
  ConflictError,
  FieldValidationError,
  UnknownKindError,
  InvalidObjectError,
  TransportError,
  UnexpectedResponseError,
  KubeConfigError,
  NotOursError,
  type ApplyErrorCode,
  type KubeStatus,
  type StatusCause,
} from './errors.js';
export { parseConflictCauses, type FieldConflict } from './conflict-causes.js';
export { withOwnership } from './ownership.js';
export {
  hasOrphanMarkers,
  orphanMarkPatch,
  orphanClearPatch,
  type OrphanedFrom,
} from './orphan-markers.js';
export { appliedHash } from './applied-hash.js';
export { goJson } from './go-json.js';
export { isContainedIn } from './containment.js';
export {
  ListTypeIndex,
  cursorForKind,
  type ListType,
  type ListTypeIndexOptions,
  type SchemaCursor,
} from './list-types.js';
export { mapWithConcurrency } from './concurrency.js';
export {
  describeRef,
  refOf,
  type KubeObject,
  type KubeObjectMeta,
  type ObjectRef,
  type OwnerReference,
} from './object-ref.js';
