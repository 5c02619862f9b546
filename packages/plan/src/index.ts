export {
  nodeName,
  hashedNodeName,
  uidLabelValue,
  hubLabelValue,
  labelValue,
  isDns1123Subdomain,
  isLabelValue,
  MAX_NAME_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
} from './node-name.js';
export { goJsonStringMap } from './go-json.js';
export type { PlanRow, RowProblemRef, FetchedRows, HubFetch } from './rows.js';
export type { PlanEvent, EventRegarding } from './events.js';
export {
  desiredNodes,
  formsOfHub,
  type DesiredEntry,
  type DesiredForm,
  type DesiredNodes,
} from './desired-nodes.js';
export { hubRenderSource, type HubTemplateError } from './hub-render-source.js';
export { renderDesiredNodes } from './render-desired.js';
export {
  planHub,
  type PlanHubInput,
  type HubPlan,
  type HubRenderOutcome,
  type NodeUpdate,
  type HeldDeletion,
  type ThrottledForm,
  type HubRenderError,
} from './plan-hub.js';
export { hubOwnerReference, type DesiredNode } from './desired-node.js';
export { workloadsReady, type LiveObjectReader } from './workloads-ready.js';
export { type UpdateReason } from './node-diff.js';
export {
  nodeDeletedEvent,
  nodeDeletionFailedEvent,
  type DeleteReason,
  type NodeDeletion,
} from './hub-events.js';
export { nodeVariables, type NodeVariablesResult } from './node-variables.js';
export { NodePlanError } from './node-plan-error.js';
export {
  planNode,
  type NodePlan,
  type NodeObjects,
  type PlannedObject,
  type NodeObjectError,
  type UnresolvedApplied,
  type PlanNodeOptions,
  type SyntaxSource,
} from './plan-node.js';
export {
  appliedResourceString,
  parseAppliedResource,
  toAppliedRef,
  fromAppliedRef,
  objectIdentity,
  type ResourceKey,
  type ScopeOf,
  type AppliedResourceEntry,
} from './resource-key.js';
export { computeHubStatus, type HubStatusInput } from './hub-status.js';
export { computeFormStatus, type FormStatusInput, type FormStatusResult } from './form-status.js';
export {
  computeNodeStatus,
  computeNodeErrorStatus,
  type NodeStatusInput,
  type NodeStatusResult,
} from './node-status.js';
export { equalStatus } from './equal-status.js';
export {
  checkForm,
  checkHub,
  FORM_CHECKS,
  TEMPLATE_CHECK_FAILED_PATH,
  type CheckFormOptions,
  type CheckHubOptions,
  type TemplateCheck,
} from './check-form.js';
export { fieldDiff, type FieldChange } from './field-diff.js';
export {
  previewHub,
  renderNodeObjects,
  compareNodeObjects,
  guessScope,
  type PreviewHubInput,
  type HubPreview,
  type NodePreview,
  type NodeAction,
  type ObjectPreview,
} from './preview-hub.js';
