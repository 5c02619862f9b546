import {
  API_VERSION,
  Kinds,
  LynqValidationError,
  parseForm,
  parseHub,
  type FieldIssue,
  type LynqFormInput,
  type LynqHubInput,
} from '@lynq/api';
import { FORM_CHECKS } from '@lynq/plan';
import { templateCheck } from '@lynq/render';

/** Name, namespace and metadata every Lynq object has. */
export interface ObjectOptions {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * Called with each warning of the validation (a deprecated field, a block that is ignored);
   * default: none are reported. Errors always throw.
   */
  onWarning?: (warning: FieldIssue) => void;
}

export interface HubOptions extends ObjectOptions {
  spec: LynqHubInput['spec'];
  /**
   * Source types that datasource plugins loaded into the operator provide (e.g. `csv`), besides
   * the built-in mysql and postgresql; a hub with any other type is refused.
   */
  pluginSourceTypes?: readonly string[];
}

export interface FormOptions extends ObjectOptions {
  spec: LynqFormInput['spec'];
  /** Accept `templateSyntax: nunjucks` (the operator must run with it enabled too). */
  allowNunjucks?: boolean;
}

function metadata(options: ObjectOptions) {
  return {
    name: options.name,
    namespace: options.namespace,
    ...(options.labels !== undefined ? { labels: { ...options.labels } } : {}),
    ...(options.annotations !== undefined ? { annotations: { ...options.annotations } } : {}),
  };
}

function report(warnings: readonly FieldIssue[], options: ObjectOptions): void {
  for (const warning of warnings) options.onWarning?.(warning);
}

/**
 * A LynqHub, checked as the operator's admission webhook checks it (schema, value mappings,
 * source blocks, Secret references, source type). Throws @lynq/api's LynqValidationError listing
 * every problem with its field path (`spec.valueMappings.uid: is required`). Returns the object as
 * written, ready for `toYaml` or `LynqClient.applyHub`; defaults are left to the API server.
 */
export function hub(options: HubOptions): LynqHubInput {
  const object: LynqHubInput = {
    apiVersion: API_VERSION,
    kind: Kinds.Hub,
    metadata: metadata(options),
    spec: structuredClone(options.spec),
  };
  const parsed = parseHub(object, {
    ...(options.pluginSourceTypes !== undefined
      ? { pluginSourceTypes: options.pluginSourceTypes }
      : {}),
  });
  report(parsed.warnings, options);
  if (!parsed.ok) throw new LynqValidationError(parsed.object, parsed.errors);
  return object;
}

/**
 * A LynqForm, checked as the operator checks it: schema, hubId, resource ids, the dependency graph
 * (with the cycle path), ignoreFields JSONPath, readyWhen CEL and every template. Throws
 * LynqValidationError listing every problem with its field path
 * (`spec.deployments[0].dependIds[0]: depends on unknown id "db"`).
 */
export function form(options: FormOptions): LynqFormInput {
  const object: LynqFormInput = {
    apiVersion: API_VERSION,
    kind: Kinds.Form,
    metadata: metadata(options),
    spec: structuredClone(options.spec),
  };
  const parsed = parseForm(object, {
    checks: [...FORM_CHECKS, templateCheck({ allowNunjucks: options.allowNunjucks === true })],
  });
  report(parsed.warnings, options);
  if (!parsed.ok) throw new LynqValidationError(parsed.object, parsed.errors);
  return object;
}
