// One validation of LynqForms and LynqHubs for every caller: the form controller (Valid
// condition), the admission webhooks and `lynq validate`. Everything is pure except the template
// check, which the caller supplies: the operator runs it in a RenderHost process (templates are
// untrusted input, bounded in time and memory there); a CLI can pass render's validateTemplates.
import {
  applyFormDefaults,
  describeObject,
  parseForm,
  parseHub,
  validateForm,
  type FieldIssue,
  type FormCheck,
  type FormCheckResult,
  type LynqForm,
  type LynqHub,
  type ParseResult,
} from '@lynq/api';
import { dependencyCheck } from '@lynq/graph';
import {
  DEFAULT_TARGET_POLICY,
  policyFormChecks,
  targetPolicyCheck,
  type TargetPolicy,
} from '@lynq/policy';

/** The checks of a form that need nothing but the form: dependency graph (cycle path), ignoreFields JSONPath, readyWhen CEL. */
export const FORM_CHECKS: readonly FormCheck[] = [dependencyCheck, ...policyFormChecks];

/** The template check of a form, in-process (render's `validateTemplates`) or elsewhere (a RenderHost). */
export type TemplateCheck = (form: LynqForm) => FormCheckResult | Promise<FormCheckResult>;

export interface CheckFormOptions {
  /** Checks every template of the form; may reject, and the form is then refused with the reason. */
  templates: TemplateCheck;
  /**
   * Where resources may land: literal namespaces, Namespace names and built-in cluster-scoped
   * kinds outside it are errors (templated ones are judged when rendered, see planNode).
   * Default: DEFAULT_TARGET_POLICY.
   */
  targets?: TargetPolicy;
}

export interface CheckHubOptions {
  /** Source types of loaded datasource plugins, besides the built-in mysql and postgresql. */
  pluginSourceTypes?: readonly string[];
}

/** The path of the error a template check that could not run leaves on the form. */
export const TEMPLATE_CHECK_FAILED_PATH = 'spec';

function dedupe(issues: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * The schema-valid form of an input that failed other checks (duplicate ids, a cycle), so that its
 * templates are checked too and every error is reported at once. Undefined when the schema fails.
 */
function schemaValid(input: unknown): LynqForm | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  return validateForm(applyFormDefaults(input)).value;
}

/** The path of the error a form that could not be checked at all gets. */
export const FORM_CHECK_FAILED_PATH = 'spec';

/** Why a check threw, for the form's status: a stack overflow says what in the form causes it. */
function failureReason(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message))
    return `it is too large to check: it is nested too deep or holds too many resources (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Validates a LynqForm object (as the API server or a YAML parser gives it): defaults, schema,
 * hubId, ids, the dependency graph with the cycle path, ignoreFields JSONPath, readyWhen CEL, and
 * the templates through `options.templates`. Returns every error and warning, with field paths;
 * `object` names the form (`LynqForm namespace/name`). Never rejects or throws: a template check
 * that fails becomes an error on `spec` saying why it could not run, and so does a form the other
 * checks cannot get through (one nested too deep to copy, or anything that exhausts the stack).
 */
export async function checkForm(
  input: unknown,
  options: CheckFormOptions,
): Promise<ParseResult<LynqForm>> {
  let parsed: ParseResult<LynqForm>;
  try {
    parsed = parseForm(input, {
      checks: [...FORM_CHECKS, targetPolicyCheck(options.targets ?? DEFAULT_TARGET_POLICY)],
    });
  } catch (err) {
    return {
      ok: false,
      object: describeObject(input, 'LynqForm'),
      errors: [
        {
          path: FORM_CHECK_FAILED_PATH,
          message: `the form cannot be checked: ${failureReason(err)}`,
        },
      ],
      warnings: [],
    };
  }
  const errors = parsed.ok ? [] : [...parsed.errors];
  const warnings = [...parsed.warnings];
  let form: LynqForm | undefined;
  try {
    form = parsed.ok ? parsed.value : schemaValid(input);
  } catch {
    // Only for reporting the templates' errors along with the others: those are reported anyway.
    form = undefined;
  }
  if (form !== undefined) {
    try {
      const found = await options.templates(form);
      errors.push(...(found.errors ?? []));
      warnings.push(...(found.warnings ?? []));
    } catch (err) {
      errors.push({
        path: TEMPLATE_CHECK_FAILED_PATH,
        message: `template check failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  const object = parsed.object;
  if (errors.length > 0 || form === undefined)
    return { ok: false, object, errors: dedupe(errors), warnings: dedupe(warnings) };
  return { ok: true, value: form, object, warnings: dedupe(warnings) };
}

/**
 * Validates a LynqHub object: defaults, schema, value mappings, source blocks, Secret references,
 * and source types (built-in or from `pluginSourceTypes`). Every error and warning, with paths.
 */
export function checkHub(input: unknown, options: CheckHubOptions = {}): ParseResult<LynqHub> {
  return parseHub(input, {
    ...(options.pluginSourceTypes ? { pluginSourceTypes: options.pluginSourceTypes } : {}),
  });
}
