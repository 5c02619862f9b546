export * from './names.js';
export type { KubeObject, KubeObjectMeta, OwnerReference, ResourceType } from './kube-object.js';
export {
  ConflictPolicy,
  CreationPolicy,
  DeletionPolicy,
  PatchStrategy,
  TemplateSyntax,
  SecretKeyRef,
  Condition,
  StatusCondition,
  CONDITION_TYPE_PATTERN,
  CONDITION_REASON_PATTERN,
  ObjectMeta,
} from './schemas/common.js';
export { isApiDateTime } from './schemas/date-time.js';
export { type StringMap } from './schemas/string-map.js';
export {
  TResource,
  type TResourceInput,
  RESOURCE_LIST_KEYS,
  type ResourceListKey,
  LIST_KINDS,
  type ResourceLists,
  type ResourceEntry,
  listResources,
} from './schemas/resource.js';
export {
  LynqHub,
  type LynqHubInput,
  LynqHubSpec,
  LynqHubStatus,
  HubSource,
  MySqlSource,
  PostgresSource,
  DatabaseTls,
  TlsMode,
  ValueMappings,
  DeletionGuard,
  BUILTIN_SOURCE_TYPES,
  type BuiltinSourceType,
  SYNC_INTERVAL_PATTERN,
} from './schemas/hub.js';
export {
  LynqForm,
  type LynqFormInput,
  LynqFormSpec,
  LynqFormStatus,
  RolloutConfig,
  RolloutPhase,
  RolloutStatus,
} from './schemas/form.js';
export {
  LynqNode,
  type LynqNodeInput,
  LynqNodeSpec,
  LynqNodeStatus,
  AppliedResourceRef,
} from './schemas/node.js';
export { applyHubDefaults, applyFormDefaults } from './defaults.js';
export {
  validateHub,
  validateForm,
  validateNode,
  type FormCheck,
  type FormCheckResult,
  type ValidateFormOptions,
  type ValidateHubOptions,
  HOST_OR_URL_DEPRECATION,
  BUILTIN_VARIABLES,
  NODE_WITHOUT_SPEC,
} from './validate.js';
export {
  parseHub,
  parseForm,
  parseNode,
  assertParsed,
  describeObject,
  type ParseResult,
} from './parse.js';
export {
  type FieldIssue,
  type ValidationResult,
  LynqValidationError,
  formatIssue,
  formatPath,
  joinPath,
} from './issues.js';
export { parseSyncInterval } from './duration.js';
export { buildCrds, renderCrdFiles } from './crd/generate.js';
