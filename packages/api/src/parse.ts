import { parseAllDocuments } from 'yaml';
import { crdSchemaOf } from './crd/generate.js';
import { applyFormDefaults, applyHubDefaults } from './defaults.js';
import { LynqValidationError, joinPath, type FieldIssue, type ValidationResult } from './issues.js';
import type { LynqForm } from './schemas/form.js';
import type { LynqHub } from './schemas/hub.js';
import type { LynqNode } from './schemas/node.js';
import { pruneNulls, type PruneSchema } from './prune-nulls.js';
import {
  validateForm,
  validateHub,
  validateNode,
  type ValidateFormOptions,
  type ValidateHubOptions,
} from './validate.js';

export type ParseResult<T> =
  | { ok: true; value: T; object: string; warnings: FieldIssue[] }
  | { ok: false; object: string; errors: FieldIssue[]; warnings: FieldIssue[] };

/** `LynqForm default/web-app`, or as much of it as the input has. */
export function describeObject(input: unknown, fallbackKind = 'object'): string {
  if (typeof input !== 'object' || input === null) return fallbackKind;
  const obj = input as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : fallbackKind;
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '<unnamed>';
  const ns = typeof obj.metadata?.namespace === 'string' ? `${obj.metadata.namespace}/` : '';
  return `${kind} ${ns}${name}`;
}

/** Deeper objects are refused: no real hub, form or node comes close, and walking them recursively would overflow the stack. */
export const MAX_NESTING = 1000;

/** Where a value nests deeper than MAX_NESTING, checked without recursion. */
function tooDeep(value: unknown): string | undefined {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_NESTING) return path;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries)
      if (typeof x === 'object' && x !== null)
        stack.push({ v: x, depth: depth + 1, path: depth < 8 ? joinPath(path, k) : path });
  }
  return undefined;
}

function checkedDepth(value: unknown): { value?: unknown; errors: FieldIssue[] } {
  const at = tooDeep(value);
  if (at === undefined) return { value, errors: [] };
  return {
    errors: [{ path: at, message: `nested more than ${MAX_NESTING} levels deep` }],
  };
}

/** Parses YAML or JSON text holding exactly one document; objects pass through unchanged. */
export function readDocument(input: unknown): { value?: unknown; errors: FieldIssue[] } {
  if (typeof input !== 'string') return checkedDepth(input);
  const docs = parseAllDocuments(input);
  if (!Array.isArray(docs)) return { errors: [{ path: '', message: 'no document found' }] };
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length !== 1)
    return {
      errors: [
        { path: '', message: `expected exactly one YAML/JSON document, found ${nonEmpty.length}` },
      ],
    };
  const doc = nonEmpty[0]!;
  if (doc.errors.length > 0)
    return {
      errors: doc.errors.map((e) => ({
        path: '',
        message: `invalid YAML at line ${e.linePos?.[0].line ?? '?'}, column ${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0]}`,
      })),
    };
  try {
    return checkedDepth(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    // yaml refuses to expand too many aliases (a "billion laughs" document) by throwing.
    const reason = err instanceof Error ? err.message : String(err);
    return { errors: [{ path: '', message: `invalid YAML: ${reason}` }] };
  }
}

/**
 * Removes the nulls the API server would prune (see pruneNulls) using the kind's CRD schema, plus
 * those of top-level metadata fields (`labels:` left empty), which the server reads as absent too.
 */
export function pruneApiNulls(value: unknown, kind: string): unknown {
  const root = crdSchemaOf(kind) as PruneSchema;
  return pruneNulls(value, {
    ...root,
    properties: { ...root.properties, metadata: { additionalProperties: {} } },
  });
}

function finish<T>(raw: unknown, kind: string, validation: ValidationResult<T>): ParseResult<T> {
  const object = describeObject(raw, kind);
  return validation.valid && validation.value !== undefined
    ? { ok: true, value: validation.value, object, warnings: validation.warnings }
    : { ok: false, object, errors: validation.errors, warnings: validation.warnings };
}

function readFailed(kind: string, errors: FieldIssue[]): ParseResult<never> {
  return { ok: false, object: kind, errors, warnings: [] };
}

/** YAML/JSON text or an object → a defaulted, validated LynqHub, or every error found. */
export function parseHub(input: unknown, options: ValidateHubOptions = {}): ParseResult<LynqHub> {
  const { value, errors } = readDocument(input);
  if (errors.length) return readFailed('LynqHub', errors);
  const defaulted = applyHubDefaults(pruneApiNulls(value, 'LynqHub'));
  return finish(value, 'LynqHub', validateHub(defaulted, options));
}

/** YAML/JSON text or an object → a defaulted, validated LynqForm, or every error found. */
export function parseForm(
  input: unknown,
  options: ValidateFormOptions = {},
): ParseResult<LynqForm> {
  const { value, errors } = readDocument(input);
  if (errors.length) return readFailed('LynqForm', errors);
  const defaulted = applyFormDefaults(pruneApiNulls(value, 'LynqForm'));
  return finish(value, 'LynqForm', validateForm(defaulted, options));
}

/**
 * YAML/JSON text or an object → a validated LynqNode, or every error found. A node whose `spec`
 * is absent or empty (`spec:` in YAML) is valid, with a warning: it has nothing to render.
 */
export function parseNode(input: unknown): ParseResult<LynqNode> {
  const { value, errors } = readDocument(input);
  if (errors.length) return readFailed('LynqNode', errors);
  return finish(value, 'LynqNode', validateNode(pruneApiNulls(value, 'LynqNode')));
}

/** The value of a successful parse, or a LynqValidationError listing every issue. */
export function assertParsed<T>(result: ParseResult<T>): T {
  if (result.ok) return result.value;
  throw new LynqValidationError(result.object, result.errors);
}
