// What the admission webhooks decide for LynqHubs and LynqForms (reference §2): defaults as a JSON
// Patch, and validation with every error, each naming the object, the field and what is wrong.
// The checks are @lynq/plan's checkForm/checkHub, the same the form controller and `lynq validate`
// run; templates go through the caller's check (the operator's RenderHost), bounded in time.
import { isDeepStrictEqual } from 'node:util';
import {
  GROUP,
  Kinds,
  Webhooks,
  applyFormDefaults,
  applyHubDefaults,
  formatIssue,
  type FieldIssue,
} from '@lynq/api';
import { checkForm, checkHub, type TemplateCheck } from '@lynq/plan';
import type { AdmissionRequest, AdmissionResponse, StatusCause } from './admission-review.js';
import { jsonPatch } from './json-patch.js';

export type AdmissionKind = typeof Kinds.Hub | typeof Kinds.Form;

export interface AdmissionRoute {
  kind: AdmissionKind;
  mode: 'mutate' | 'validate';
}

/** The four webhook paths of Lynq's manifests. */
export const ADMISSION_ROUTES: ReadonlyMap<string, AdmissionRoute> = new Map([
  [Webhooks.MutateHubPath, { kind: Kinds.Hub, mode: 'mutate' }],
  [Webhooks.ValidateHubPath, { kind: Kinds.Hub, mode: 'validate' }],
  [Webhooks.MutateFormPath, { kind: Kinds.Form, mode: 'mutate' }],
  [Webhooks.ValidateFormPath, { kind: Kinds.Form, mode: 'validate' }],
]);

export interface LynqAdmissionOptions {
  /** The template check of forms; the operator passes its RenderHost's sandboxed one. */
  templates: TemplateCheck;
  /** Source types of the loaded datasource plugins (besides mysql and postgresql). */
  pluginSourceTypes?: readonly string[];
}

export interface ReviewOptions {
  /** Time the template check may take (queueing for a render process included), in ms. */
  templateBudgetMs: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `LynqForm apps/web`: from the object, else from the request (a generated name is not known yet). */
export function describeAdmitted(kind: string, req: AdmissionRequest, object: unknown): string {
  const meta = isObject(object) && isObject(object['metadata']) ? object['metadata'] : {};
  const namespace = str(meta['namespace']) ?? req.namespace;
  const generateName = str(meta['generateName']);
  const name =
    str(meta['name']) ?? req.name ?? (generateName ? `${generateName}<generated>` : '<unnamed>');
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** One line for one error, else a line per error (kubectl prints the message as it is). */
export function denialMessage(object: string, errors: readonly FieldIssue[]): string {
  if (errors.length === 1) return `${object} is invalid: ${formatIssue(errors[0]!)}`;
  return `${object} is invalid (${errors.length} errors):\n${errors.map((e) => `  ${formatIssue(e)}`).join('\n')}`;
}

/** Warnings reach clients as HTTP headers: printable text only. */
const warningText = (issue: FieldIssue) =>
  formatIssue(issue)
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();

/** Rejects with a reason after `ms`; the check's own failure (TIMEOUT, MEMORY, CRASHED) rejects too. */
function bounded(check: TemplateCheck, ms: number): TemplateCheck {
  return (form) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`it did not finish within ${ms} ms (render processes busy)`)),
        ms,
      );
      Promise.resolve()
        .then(() => check(form))
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
}

export class LynqAdmission {
  constructor(private readonly options: LynqAdmissionOptions) {}

  /** The answer to one AdmissionRequest on `route`; never rejects. */
  async review(
    route: AdmissionRoute,
    req: AdmissionRequest,
    options: ReviewOptions,
  ): Promise<AdmissionResponse> {
    if (req.kind.group !== GROUP || req.kind.kind !== route.kind)
      return this.refuse(
        req,
        400,
        'BadRequest',
        `this webhook admits ${route.kind} (${GROUP}), got ${req.kind.kind} (${req.kind.group || 'core'}): check the webhook configuration's rules`,
      );
    // Status and other subresources are not the webhooks' business; DELETE is always allowed.
    if (req.subResource !== undefined || (req.operation !== 'CREATE' && req.operation !== 'UPDATE'))
      return { uid: req.uid, allowed: true };
    if (req.object === undefined)
      return this.refuse(req, 400, 'BadRequest', `request.object is missing on ${req.operation}`);
    return route.mode === 'mutate'
      ? this.mutate(route.kind, req, req.object)
      : this.validate(route.kind, req, req.object, options);
  }

  private mutate(kind: AdmissionKind, req: AdmissionRequest, object: unknown): AdmissionResponse {
    const defaulted = kind === Kinds.Hub ? applyHubDefaults(object) : applyFormDefaults(object);
    const ops = jsonPatch(object, defaulted);
    if (ops.length === 0) return { uid: req.uid, allowed: true };
    return {
      uid: req.uid,
      allowed: true,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
    };
  }

  private async validate(
    kind: AdmissionKind,
    req: AdmissionRequest,
    object: unknown,
    options: ReviewOptions,
  ): Promise<AdmissionResponse> {
    if (req.operation === 'UPDATE' && !specChanged(object, req.oldObject)) {
      // Metadata only (finalizers, labels), or an object on its way out: an object stored before
      // the webhook (or a rule) existed can still be labelled, and its finalizers removed.
      return { uid: req.uid, allowed: true };
    }
    const errors: FieldIssue[] = [];
    let warnings: FieldIssue[];
    if (kind === Kinds.Hub) {
      const checked = checkHub(object, {
        ...(this.options.pluginSourceTypes
          ? { pluginSourceTypes: this.options.pluginSourceTypes }
          : {}),
      });
      if (!checked.ok) errors.push(...checked.errors);
      warnings = checked.warnings;
    } else {
      errors.push(...immutableHubId(req));
      const checked = await checkForm(object, {
        templates: bounded(this.options.templates, options.templateBudgetMs),
      });
      if (!checked.ok) errors.push(...checked.errors);
      warnings = checked.warnings;
    }
    const response: AdmissionResponse = { uid: req.uid, allowed: errors.length === 0 };
    if (warnings.length > 0) response.warnings = warnings.map(warningText);
    if (errors.length === 0) return response;
    const name = describeAdmitted(kind, req, object);
    const causes: StatusCause[] = errors.map((e) => ({
      reason: 'FieldValueInvalid',
      field: e.path,
      message: e.message,
    }));
    response.status = {
      // controller-runtime answers a refused validation with 403 Forbidden (Lynq's webhooks too).
      code: 403,
      reason: 'Forbidden',
      message: denialMessage(name, errors),
      details: {
        ...(req.name ? { name: req.name } : {}),
        group: GROUP,
        kind,
        causes,
      },
    };
    return response;
  }

  private refuse(
    req: AdmissionRequest,
    code: number,
    reason: string,
    message: string,
  ): AdmissionResponse {
    return { uid: req.uid, allowed: false, status: { code, reason, message } };
  }
}

/** On UPDATE: whether the spec changed, unless the object is being deleted (then: not checked). */
function specChanged(object: unknown, oldObject: unknown): boolean {
  if (!isObject(object)) return true;
  const meta = isObject(object['metadata']) ? object['metadata'] : {};
  if (meta['deletionTimestamp'] != null) return false;
  if (!isObject(oldObject)) return true;
  return !isDeepStrictEqual(object['spec'], oldObject['spec']);
}

/** spec.hubId may not change (the CRD says so too; this names the old and new value). */
function immutableHubId(req: AdmissionRequest): FieldIssue[] {
  if (req.operation !== 'UPDATE' || !isObject(req.oldObject) || !isObject(req.object)) return [];
  const hubIdOf = (o: Record<string, unknown>) =>
    isObject(o['spec']) ? o['spec']['hubId'] : undefined;
  const before = hubIdOf(req.oldObject);
  const after = hubIdOf(req.object);
  if (before === undefined || isDeepStrictEqual(before, after)) return [];
  return [
    {
      path: 'spec.hubId',
      message: `hubId is immutable (was ${JSON.stringify(before)}, now ${JSON.stringify(after ?? null)}): create a new LynqForm instead`,
    },
  ];
}
