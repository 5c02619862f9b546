export type { KubeObject } from './kube-object.js';
export {
  decideCreation,
  decideOwnership,
  decideRemoval,
  decideWrite,
  liveDeletionPolicy,
  type CreationDecision,
  type CreationInput,
  type NodeIdentity,
  type ControllerOwnerReference,
  type OwnershipDecision,
  type OwnershipInput,
  type RemovalDecision,
  type RemovalInput,
  type WriteDecision,
  type WriteInput,
} from './lifecycle.js';
export { checkJsonPath, queryJsonPath, JsonPathError, type JsonPathMatch } from './json-path.js';
export { applyIgnoreFields, type IgnoredField, type IgnoreFieldsResult } from './ignore-fields.js';
export { ignoreFieldsCheck } from './ignore-fields-check.js';
export {
  checkReadiness,
  checkRolloutReadiness,
  ReadinessReasons,
  type ReadinessVerdict,
} from './readiness.js';
export {
  compileReadyWhen,
  READY_WHEN_LIMITS,
  checkResourceReadiness,
  readyWhenCheck,
  ReadyWhenError,
  type ReadyWhen,
  type CompileReadyWhenResult,
} from './ready-when.js';
export {
  rolloutNodeState,
  updatingReason,
  planFormRollout,
  computeFormRolloutStatus,
  formAppliedCondition,
  ROLLOUT_SAFETY_MARGIN_MS,
  ROLLOUT_PHASE_VALUES,
  type RolloutNodeState,
  type NodeChange,
  type FormRolloutInput,
  type FormRolloutPlan,
  type FormRolloutStatusInput,
  type FormRolloutStatusResult,
} from './rollout.js';
export {
  checkDeletionGuard,
  DEFAULT_DELETION_GUARD,
  type DeletionGuardInput,
  type DeletionGuardDecision,
} from './deletion-guard.js';
export {
  aggregateNodeStatus,
  nodeErrorConditions,
  type ResourceOutcome,
  type ResourceResult,
  type NodeStatusInput,
  type NodeStatusSummary,
  type NodeErrorKind,
} from './node-status.js';
export { setConditions, type ConditionInput } from './conditions.js';
export { policyFormChecks } from './form-checks.js';
export {
  decideDependencyGate,
  type DependencyGate,
  type DependencyGateInput,
} from './dependency-gate.js';
export {
  checkTarget,
  targetPolicyCheck,
  isBuiltinClusterScoped,
  qualifiedKind,
  DEFAULT_TARGET_POLICY,
  SYSTEM_NAMESPACES,
  type TargetPolicy,
  type TargetInput,
  type TargetField,
  type TargetVerdict,
} from './target-policy.js';
