export {
  renderTemplate,
  compileTemplate,
  compiledTemplateCacheSize,
  compiledTemplateCacheStats,
  hasTemplateSyntax,
  TemplateError,
  MAX_TEMPLATE_CHARS,
  type CompileCacheStats,
  type CompiledTemplate,
  NUNJUCKS_DISABLED,
  type CompileOptions,
  type RenderOptions,
  type TemplateSyntax,
} from './engine.js';
export {
  DEFAULT_RENDER_LIMITS,
  RenderBudgetError,
  type BudgetKind,
  type RenderLimits,
} from './budget.js';
export {
  renderForm,
  compileForm,
  formatRenderError,
  resourcePolicies,
  type CompiledForm,
  type FormRenderResult,
  type Manifest,
  type RenderFormOptions,
  type RenderedResource,
  type RenderSource,
  type ResourcePolicies,
  type ResourceRenderError,
} from './render-form.js';
export {
  validateTemplates,
  templateCheck,
  type TemplateCheckOptions,
} from './validate-templates.js';
export {
  buildVariables,
  SAMPLE_VARIABLES,
  type NodeVariablesInput,
  type TemplateVariables,
} from './variables.js';
export {
  resolveTypedValue,
  stripTypeMarker,
  keepsString,
  INT_MARKER,
  FLOAT_MARKER,
  BOOL_MARKER,
  type MarkerContext,
} from './markers.js';
export { toHost } from './functions/lynq.js';
export { FUNCTIONS as TEMPLATE_FUNCTIONS } from './functions/library.js';
export type { CallContext, GoFunction, ParamType } from './functions/types.js';
export { SandboxViolationError, UndefinedVariableError } from './sandbox.js';
