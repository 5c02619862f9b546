// What the admission webhooks decide for LynqHubs and LynqForms (reference §2): defaults as a JSON
// Patch, and validation with every error, each naming the object, the field and what is wrong.
// The checks are @lynq/plan's checkForm/checkHub, the same the form controller and `lynq validate`
// run; templates go through the caller's check (the operator's RenderHost), bounded in time and in
// how many run at once. What goes back is bounded too: the first errors and warnings, each clipped.
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
import type { TargetPolicy } from '@lynq/policy';
import type { AdmissionRequest, AdmissionResponse, StatusCause } from './admission-review.js';
import { jsonPatch } from './json-patch.js';
import { TemplateCheckSlots } from './template-check-slots.js';

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
  /** Where forms' resources may land (see checkForm); default DEFAULT_TARGET_POLICY. */
  targets?: TargetPolicy;
  /** Template checks in the RenderHost at once (see TemplateCheckSlots). Default 2. */
  maxTemplateChecks?: number;
  /** Reviews waiting for a template check; more are refused at once. Default 32. */
  maxWaitingTemplateChecks?: number;
}

export interface ReviewOptions {
  /** Time the template check may take (queueing for a render process included), in ms. */
  templateBudgetMs: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Errors listed in a denial's message; the rest are counted. */
export const MAX_MESSAGE_ERRORS = 20;
/** Errors given as status causes (each with its field). */
export const MAX_CAUSES = 100;
/** Warnings returned; the API server passes on 4 KiB of them at most. */
export const MAX_WARNINGS = 10;
/** Characters of one name, field, message or warning; the API server truncates warnings at 256. */
export const MAX_TEXT = 256;

/** `text`, cut to `max` characters with an ellipsis. */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const clipIssue = (e: FieldIssue): FieldIssue => ({
  path: clip(e.path),
  message: clip(e.message, 4 * MAX_TEXT),
});

/** `LynqForm apps/web`: from the object, else from the request (a generated name is not known yet). */
export function describeAdmitted(kind: string, req: AdmissionRequest, object: unknown): string {
  const meta = isObject(object) && isObject(object['metadata']) ? object['metadata'] : {};
  const namespace = str(meta['namespace']) ?? req.namespace;
  const generateName = str(meta['generateName']);
  const name =
    str(meta['name']) ?? req.name ?? (generateName ? `${generateName}<generated>` : '<unnamed>');
  return clip(`${kind} ${namespace ? `${namespace}/` : ''}${name}`);
}

/**
 * One line for one error, else a line per error (kubectl prints the message as it is), the
 * first MAX_MESSAGE_ERRORS of them; each clipped.
 */
export function denialMessage(object: string, errors: readonly FieldIssue[]): string {
  if (errors.length === 1) return `${object} is invalid: ${formatIssue(clipIssue(errors[0]!))}`;
  const listed = errors.slice(0, MAX_MESSAGE_ERRORS).map((e) => `  ${formatIssue(clipIssue(e))}`);
  if (errors.length > MAX_MESSAGE_ERRORS)
    listed.push(`  ... and ${errors.length - MAX_MESSAGE_ERRORS} more`);
  return `${object} is invalid (${errors.length} errors):\n${listed.join('\n')}`;
}

/** Warnings reach clients as HTTP headers: printable text only, MAX_WARNINGS at most, clipped. */
export function warningTexts(issues: readonly FieldIssue[]): string[] {
  const texts = issues.slice(0, MAX_WARNINGS).map((issue) =>
    clip(
      formatIssue(issue)
        // eslint-disable-next-line no-control-regex -- control characters are what is removed
        .replace(/[\u0000-\u001f\u007f]+/g, ' ')
        .trim(),
    ),
  );
  if (issues.length > MAX_WARNINGS)
    texts.push(`... and ${issues.length - MAX_WARNINGS} more warnings`);
  return texts;
}

export class LynqAdmission {
  private readonly slots: TemplateCheckSlots;

  constructor(private readonly options: LynqAdmissionOptions) {
    this.slots = new TemplateCheckSlots({
      ...(options.maxTemplateChecks !== undefined ? { size: options.maxTemplateChecks } : {}),
      ...(options.maxWaitingTemplateChecks !== undefined
        ? { maxWaiting: options.maxWaitingTemplateChecks }
        : {}),
    });
  }

  /** The answer to one AdmissionRequest on `route`; never rejects (a failure is a refusal saying why). */
  async review(
    route: AdmissionRoute,
    req: AdmissionRequest,
    options: ReviewOptions,
  ): Promise<AdmissionResponse> {
    try {
      return await this.answer(route, req, options);
    } catch (err) {
      return this.refuse(
        req,
        500,
        'InternalError',
        clip(
          `the review failed: ${err instanceof Error ? err.message : String(err)}`,
          4 * MAX_TEXT,
        ),
      );
    }
  }

  private async answer(
    route: AdmissionRoute,
    req: AdmissionRequest,
    options: ReviewOptions,
  ): Promise<AdmissionResponse> {
    if (req.kind.group !== GROUP || req.kind.kind !== route.kind)
      return this.refuse(
        req,
        400,
        'BadRequest',
        clip(
          `this webhook admits ${route.kind} (${GROUP}), got ${req.kind.kind} (${req.kind.group || 'core'}): check the webhook configuration's rules`,
          4 * MAX_TEXT,
        ),
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
      const { templates } = this.options;
      const checked = await checkForm(object, {
        templates: (form) => this.slots.run(() => templates(form), options.templateBudgetMs),
        ...(this.options.targets ? { targets: this.options.targets } : {}),
      });
      if (!checked.ok) errors.push(...checked.errors);
      warnings = checked.warnings;
    }
    const response: AdmissionResponse = { uid: req.uid, allowed: errors.length === 0 };
    if (warnings.length > 0) response.warnings = warningTexts(warnings);
    if (errors.length === 0) return response;
    const name = describeAdmitted(kind, req, object);
    const causes: StatusCause[] = errors.slice(0, MAX_CAUSES).map((e) => {
      const { path, message } = clipIssue(e);
      return { reason: 'FieldValueInvalid', field: path, message };
    });
    response.status = {
      // controller-runtime answers a refused validation with 403 Forbidden (Lynq's webhooks too).
      code: 403,
      reason: 'Forbidden',
      message: denialMessage(name, errors),
      details: {
        ...(req.name ? { name: clip(req.name) } : {}),
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
