// The variables a LynqForm's templates see for one node (reference §4).
import { toHost } from './functions/lynq.js';
import { setEntry } from './go/values.js';

export interface NodeVariablesInput {
  /** The row's uid. */
  uid: string;
  /** The raw activate value; default "true". */
  activate?: string;
  /** The LynqHub's name. */
  hubId?: string;
  /** The LynqForm's name. */
  templateRef?: string;
  /** Deprecated valueMappings.hostOrUrl: adds .hostOrUrl and .host (= toHost(hostOrUrl)). */
  hostOrUrl?: string;
  /** extraValueMappings: variable name → the row's value. */
  extra?: Readonly<Record<string, string>>;
}

/** Template variables are plain strings. */
export type TemplateVariables = Record<string, string>;

/**
 * Builds the variables of one node. Built-in names win over extra mappings of the same name
 * (a row cannot change its own uid through an extra column). Unlike Lynq, .hostOrUrl/.host
 * exist only when the deprecated mapping is set, on every code path (no fallback to the uid).
 */
export function buildVariables(input: NodeVariablesInput): TemplateVariables {
  // A plain object (fast to read), where an extra mapping named `__proto__` is an ordinary
  // variable: templates only ever read own properties.
  const vars: TemplateVariables = {};
  for (const [k, v] of Object.entries(input.extra ?? {})) setEntry(vars, k, v ?? '');
  vars.uid = input.uid;
  vars.activate = input.activate ?? 'true';
  vars.hubId = input.hubId ?? '';
  vars.templateRef = input.templateRef ?? '';
  if (input.hostOrUrl !== undefined) {
    vars.hostOrUrl = input.hostOrUrl;
    vars.host = toHost(input.hostOrUrl);
  }
  return vars;
}

/** The sample variables admission validation renders name/label/annotation templates with. */
export const SAMPLE_VARIABLES: Readonly<TemplateVariables> = Object.freeze({
  uid: 'test-node',
  hostOrUrl: 'https://example.com',
  host: 'example.com',
  activate: 'true',
  hubId: 'test-hub',
  templateRef: 'test-template',
});
