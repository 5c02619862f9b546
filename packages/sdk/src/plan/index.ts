// @lynq/sdk/plan: what a hub or form change would do to existing nodes, offline.
export { previewChange, type PreviewChangeInput } from './preview-change.js';
export {
  previewHub,
  guessScope,
  fieldDiff,
  type PreviewHubInput,
  type HubPreview,
  type NodePreview,
  type NodeAction,
  type ObjectPreview,
  type FieldChange,
  type HubPlan,
  type ScopeOf,
} from '@lynq/plan';
export type { RowRecord } from '../rows.js';
