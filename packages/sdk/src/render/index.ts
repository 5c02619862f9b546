// @lynq/sdk/render: what a form produces for some rows, offline.
export {
  previewForm,
  type PreviewFormOptions,
  type FormPreview,
  type NodeManifests,
  type PreviewError,
} from './preview-form.js';
export type { RowRecord } from '../rows.js';
export {
  renderForm,
  renderTemplate,
  buildVariables,
  TemplateError,
  type Manifest,
  type FormRenderResult,
  type RenderFormOptions,
  type TemplateVariables,
} from '@lynq/render';
