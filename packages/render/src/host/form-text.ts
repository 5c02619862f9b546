// A form as it travels to render processes: the JSON of what rendering reads (the resource lists
// and the syntax), and a fingerprint of it that names the compiled form in each process's cache.
import { RESOURCE_LIST_KEYS } from '@lynq/api';
import { createHash } from 'node:crypto';
import type { TemplateSyntax } from '../engine.js';
import type { RenderSource } from '../render-form.js';
import type { WireForm } from './protocol.js';

export interface FormText extends Required<Pick<WireForm, 'key' | 'json'>> {
  syntax: TemplateSyntax | undefined;
}

/** Throws (TypeError) when the form's spec is not JSON data. */
export function formText(form: RenderSource, syntax: TemplateSyntax | undefined): FormText {
  const spec: Record<string, unknown> = {};
  if (form.spec.templateSyntax !== undefined) spec.templateSyntax = form.spec.templateSyntax;
  for (const k of RESOURCE_LIST_KEYS) if (form.spec[k] !== undefined) spec[k] = form.spec[k];
  const json = JSON.stringify({ spec });
  const key = createHash('sha256')
    .update(`${syntax ?? ''}\n`)
    .update(json)
    .digest('base64url');
  return { key, json, syntax };
}
