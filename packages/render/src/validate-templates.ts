// Admission check: every template of a form parses, and the templates Lynq renders at hub level
// (name, namespace, labels, annotations) render with sample variables.
import {
  joinPath,
  listResources,
  type FieldIssue,
  type FormCheck,
  type FormCheckResult,
  type LynqForm,
} from '@lynq/api';
import {
  NUNJUCKS_DISABLED,
  TemplateError,
  compileTemplate,
  nunjucksAllowed,
  type TemplateSyntax,
} from './engine.js';
import { SAMPLE_VARIABLES } from './variables.js';

function describe(err: TemplateError): string {
  const pos = err.line !== undefined ? `${err.line}:${err.column ?? 0}: ` : '';
  return `${pos}${err.reason}`;
}

export interface TemplateCheckOptions {
  /** Accept forms in the `nunjucks` syntax (default: refused; see RenderOptions.allowNunjucks). */
  allowNunjucks?: boolean;
}

/**
 * A FormCheck of a form's templates. Unlike Lynq (reference §13 item 8), templates may use
 * extra-mapping variables anywhere: name, label and annotation templates are rendered with the
 * sample variables and every other variable read as "". `fail`/`required` failures there are
 * only warnings (they depend on the row's data). A form in the nunjucks syntax is refused (one
 * error on `spec.templateSyntax`) unless `allowNunjucks` is true.
 */
export function templateCheck(options: TemplateCheckOptions = {}): FormCheck {
  const allowNunjucks = nunjucksAllowed(options);
  return (form: LynqForm) => checkTemplates(form, allowNunjucks);
}

/** templateCheck() with the defaults: the go syntax only. */
export const validateTemplates: FormCheck = templateCheck();

function checkTemplates(form: LynqForm, allowNunjucks: boolean): FormCheckResult {
  const syntax: TemplateSyntax = form.spec.templateSyntax ?? 'go';
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  if (syntax === 'nunjucks' && !allowNunjucks) {
    errors.push({ path: 'spec.templateSyntax', message: NUNJUCKS_DISABLED });
    return { errors, warnings };
  }
  let where = '';
  const check = (text: string, path: string, render: boolean) => {
    let tpl;
    try {
      tpl = compileTemplate(text, syntax, { allowNunjucks });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      errors.push({ path, message: `invalid template${where}: ${describe(err)}` });
      return;
    }
    if (!render) return;
    try {
      tpl.render(SAMPLE_VARIABLES, { missingKey: 'zero', clock: () => 0, random: () => 0.5 });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      (err.failure ? warnings : errors).push({
        path,
        message: `template fails with sample variables${where}: ${describe(err)}`,
      });
    }
  };
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') check(v, path, false);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, joinPath(path, i)));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, joinPath(path, k));
  };
  for (const { path, resource } of listResources(form.spec)) {
    // The resource id as Lynq's messages name it ("invalid NameTemplate in resource 'x'").
    where = ` in resource '${resource.id}'`;
    if (resource.nameTemplate !== undefined)
      check(resource.nameTemplate, `${path}.nameTemplate`, true);
    if (resource.targetNamespace !== undefined)
      check(resource.targetNamespace, `${path}.targetNamespace`, true);
    for (const [k, v] of Object.entries(resource.labelsTemplate ?? {}))
      check(v, joinPath(`${path}.labelsTemplate`, k), true);
    for (const [k, v] of Object.entries(resource.annotationsTemplate ?? {}))
      check(v, joinPath(`${path}.annotationsTemplate`, k), true);
    walk(resource.spec, `${path}.spec`);
  }
  return { errors, warnings };
}
