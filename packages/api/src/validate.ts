import type { z } from 'zod';
import { parseSyncInterval } from './duration.js';
import { fromZodIssues, joinPath, type FieldIssue, type ValidationResult } from './issues.js';
import { API_VERSION } from './names.js';
import { LynqForm } from './schemas/form.js';
import { BUILTIN_SOURCE_TYPES, LynqHub } from './schemas/hub.js';
import { LynqNode } from './schemas/node.js';
import { LIST_KINDS, listResources } from './schemas/resource.js';

/** What a pluggable form check (graph, templates, JSONPath, CEL) reports. */
export interface FormCheckResult {
  errors?: readonly FieldIssue[];
  warnings?: readonly FieldIssue[];
}

/**
 * A check that needs another package (for example @lynq/graph's dependency check). It runs only
 * on forms that passed the schema, and reports issues with field paths.
 */
export type FormCheck = (form: LynqForm) => FormCheckResult;

export interface ValidateFormOptions {
  checks?: readonly FormCheck[];
}

export interface ValidateHubOptions {
  /** Source types provided by loaded datasource plugins, besides mysql and postgresql. */
  pluginSourceTypes?: readonly string[];
}

export const HOST_OR_URL_DEPRECATION =
  'valueMappings.hostOrUrl is deprecated since v1.1.11 and will be removed in v1.3.0. Use extraValueMappings with the toHost() template function instead.';

/** Template variables every node has; extra mappings with these names would shadow them. */
export const BUILTIN_VARIABLES = ['uid', 'activate', 'hubId', 'templateRef', 'hostOrUrl', 'host'];

const TEMPLATE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function header(
  input: unknown,
  kind: string,
  errors: FieldIssue[],
): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors.push({ path: '', message: `expected a ${kind} object` });
    return false;
  }
  const obj = input as Record<string, unknown>;
  if (obj.apiVersion !== API_VERSION)
    errors.push({
      path: 'apiVersion',
      message: `must be "${API_VERSION}" (got ${JSON.stringify(obj.apiVersion ?? null)})`,
    });
  if (obj.kind !== kind)
    errors.push({
      path: 'kind',
      message: `must be "${kind}" (got ${JSON.stringify(obj.kind ?? null)})`,
    });
  return true;
}

function schemaCheck<S extends z.ZodType>(
  schema: S,
  input: unknown,
  errors: FieldIssue[],
): z.infer<S> | undefined {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  // apiVersion/kind are reported once by header(); drop zod's duplicate literal errors.
  for (const issue of fromZodIssues(parsed.error.issues)) {
    if (
      (issue.path === 'apiVersion' || issue.path === 'kind') &&
      errors.some((e) => e.path === issue.path)
    )
      continue;
    errors.push(issue);
  }
  return undefined;
}

function result<T>(
  value: T | undefined,
  errors: FieldIssue[],
  warnings: FieldIssue[],
): ValidationResult<T> {
  return value === undefined || errors.length > 0
    ? { valid: false, ...(value === undefined ? {} : { value }), errors, warnings }
    : { valid: true, value, errors, warnings };
}

/**
 * Validates a LynqHub (already defaulted, see applyHubDefaults): the schema, then the checks of
 * Lynq's webhook, then ours. Returns every error, not only the first.
 */
export function validateHub(
  input: unknown,
  options: ValidateHubOptions = {},
): ValidationResult<LynqHub> {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  if (!header(input, 'LynqHub', errors)) return result<LynqHub>(undefined, errors, warnings);
  const hub = schemaCheck(LynqHub, input, errors);
  if (!hub) return result<LynqHub>(undefined, errors, warnings);
  const { source, valueMappings, extraValueMappings } = hub.spec;

  if (!valueMappings.uid) errors.push({ path: 'spec.valueMappings.uid', message: 'is required' });
  if (!valueMappings.activate)
    errors.push({ path: 'spec.valueMappings.activate', message: 'is required' });
  if (valueMappings.hostOrUrl !== undefined)
    warnings.push({ path: 'spec.valueMappings.hostOrUrl', message: HOST_OR_URL_DEPRECATION });

  const interval = parseSyncInterval(source.syncInterval);
  if (interval === 0)
    errors.push({
      path: 'spec.source.syncInterval',
      message: 'must be greater than 0 (a zero interval would never resync)',
    });

  // The CRD accepts empty Secret names and keys, as Lynq's does; no Secret can be read with one.
  for (const block of BUILTIN_SOURCE_TYPES) {
    const config = source[block];
    const refs = [
      ['passwordRef', config?.passwordRef],
      ['tls.caSecretRef', config?.tls?.caSecretRef],
    ] as const;
    for (const [field, ref] of refs) {
      if (ref === undefined) continue;
      if (ref.name === '')
        errors.push({
          path: `spec.source.${block}.${field}.name`,
          message: 'must name a Secret (an empty name can never be read)',
        });
      if (ref.key === '')
        errors.push({
          path: `spec.source.${block}.${field}.key`,
          message: 'must name a key of the Secret (an empty key can never be read)',
        });
    }
  }

  const builtin = (BUILTIN_SOURCE_TYPES as readonly string[]).includes(source.type);
  for (const block of BUILTIN_SOURCE_TYPES) {
    if (source.type === block && source[block] === undefined)
      errors.push({
        path: `spec.source.${block}`,
        message: `is required when spec.source.type is ${block}`,
      });
    if (source.type !== block && source[block] !== undefined)
      warnings.push({
        path: `spec.source.${block}`,
        message: `is ignored because spec.source.type is ${source.type}`,
      });
  }
  if (!builtin && !(options.pluginSourceTypes ?? []).includes(source.type)) {
    const plugins = options.pluginSourceTypes?.length
      ? `plugins loaded: ${options.pluginSourceTypes.join(', ')}`
      : 'no datasource plugin is loaded for it';
    errors.push({
      path: 'spec.source.type',
      message: `unknown source type "${source.type}" (built-in: ${BUILTIN_SOURCE_TYPES.join(', ')}; ${plugins})`,
    });
  }
  if (builtin && source.config !== undefined)
    warnings.push({
      path: 'spec.source.config',
      message: `is ignored because spec.source.type is the built-in ${source.type}`,
    });

  for (const [variable, column] of Object.entries(extraValueMappings ?? {})) {
    const path = joinPath('spec.extraValueMappings', variable);
    if (!column) errors.push({ path, message: 'column name must not be empty' });
    if (BUILTIN_VARIABLES.includes(variable))
      warnings.push({ path, message: `shadows the built-in template variable .${variable}` });
    else if (!TEMPLATE_IDENTIFIER.test(variable))
      warnings.push({
        path,
        message: `is not a template identifier: templates can only read it as index . "${variable}"`,
      });
  }
  return result(hub, errors, warnings);
}

/**
 * Validates a LynqForm (already defaulted, see applyFormDefaults): the schema, Lynq's webhook
 * checks (hubId, unique and non-empty ids), ours (object bodies), then the pluggable checks.
 */
export function validateForm(
  input: unknown,
  options: ValidateFormOptions = {},
): ValidationResult<LynqForm> {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  if (!header(input, 'LynqForm', errors)) return result<LynqForm>(undefined, errors, warnings);
  const form = schemaCheck(LynqForm, input, errors);
  if (!form) return result<LynqForm>(undefined, errors, warnings);

  if (!form.spec.hubId) errors.push({ path: 'spec.hubId', message: 'hubId is required' });

  const firstUse = new Map<string, string>();
  for (const { path, resource, listKey } of listResources(form.spec)) {
    if (resource.id === '') {
      errors.push({ path: `${path}.id`, message: 'resource must have a non-empty ID' });
    } else {
      const first = firstUse.get(resource.id);
      if (first !== undefined)
        errors.push({
          path: `${path}.id`,
          message: `duplicate resource ID "${resource.id}" (also used by ${first})`,
        });
      else firstUse.set(resource.id, path);
    }

    const body = resource.spec;
    for (const field of ['apiVersion', 'kind'] as const) {
      const value = body[field];
      if (typeof value !== 'string' || value === '')
        errors.push({
          path: `${path}.spec.${field}`,
          message: value === undefined ? 'is required' : 'must be a non-empty string',
        });
    }
    const expectedKind = LIST_KINDS[listKey];
    if (
      expectedKind &&
      typeof body.kind === 'string' &&
      body.kind !== expectedKind &&
      !body.kind.includes('{{')
    )
      warnings.push({
        path: `${path}.spec.kind`,
        message: `is ${body.kind} in the ${listKey} list (expected ${expectedKind}); use manifests for other kinds`,
      });
    const metadata = body.metadata as { name?: unknown } | undefined;
    if (!resource.nameTemplate && !(typeof metadata?.name === 'string' && metadata.name))
      errors.push({
        path: `${path}.nameTemplate`,
        message: 'is required (or set spec.metadata.name)',
      });
    if (resource.creationPolicy === 'Once' && resource.ignoreFields?.length)
      warnings.push({
        path: `${path}.ignoreFields`,
        message: 'has no effect with creationPolicy Once',
      });
  }

  for (const check of options.checks ?? []) {
    const found = check(form);
    errors.push(...(found.errors ?? []));
    warnings.push(...(found.warnings ?? []));
  }
  return result(form, errors, warnings);
}

export const NODE_WITHOUT_SPEC =
  'is absent: the node has no uid, form or resources, so there is nothing to render';

/**
 * Validates a LynqNode against its schema. A node without `spec` is valid (Lynq's CRD allows it)
 * and gets a warning; a spec, when present, needs a uid and a templateRef.
 */
export function validateNode(input: unknown): ValidationResult<LynqNode> {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  if (!header(input, 'LynqNode', errors)) return result<LynqNode>(undefined, errors, warnings);
  const node = schemaCheck(LynqNode, input, errors);
  if (node && node.spec === undefined) warnings.push({ path: 'spec', message: NODE_WITHOUT_SPEC });
  if (node?.spec && !node.spec.uid) errors.push({ path: 'spec.uid', message: 'is required' });
  if (node?.spec && !node.spec.templateRef)
    errors.push({ path: 'spec.templateRef', message: 'is required' });
  return result(node, errors, warnings);
}
