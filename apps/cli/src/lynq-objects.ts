// LynqHubs, LynqForms and LynqNodes from files, checked as the webhooks check them (validate's
// code): a command that plans with them refuses what the cluster would refuse.
import {
  Kinds,
  parseForm,
  parseHub,
  parseNode,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import { validateTexts, type ValidateOptions, type ValidateResult } from './commands/validate.js';
import { parseYamlDocuments } from './yaml-source.js';

export interface LoadedObjects {
  hubs: LynqHub[];
  forms: LynqForm[];
  nodes: LynqNode[];
  /** Findings of the hubs and forms (errors make the command exit 1). */
  checked: ValidateResult;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function valuesOf(text: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseYamlDocuments(text)) {
    const v = doc.value;
    if (isObject(v) && v['kind'] === 'List' && Array.isArray(v['items'])) out.push(...v['items']);
    else if (
      isObject(v) &&
      Array.isArray(v['items']) &&
      typeof v['kind'] === 'string' &&
      v['kind'].endsWith('List')
    )
      out.push(...v['items']);
    else out.push(v);
  }
  return out;
}

/** Hubs and forms (defaults applied) from texts; only when every one is valid are they returned. */
export async function loadLynqObjects(
  inputs: readonly { name: string; text: string }[],
  options: ValidateOptions = {},
): Promise<LoadedObjects> {
  const checked = await validateTexts(inputs, options);
  const out: LoadedObjects = { hubs: [], forms: [], nodes: [], checked };
  if (checked.errors > 0) return out;
  for (const input of inputs)
    for (const value of valuesOf(input.text)) {
      if (!isObject(value)) continue;
      if (value['kind'] === Kinds.Hub) {
        const hub = parseHub(
          value,
          options.pluginSourceTypes ? { pluginSourceTypes: options.pluginSourceTypes } : {},
        );
        if (hub.ok) out.hubs.push(hub.value);
      } else if (value['kind'] === Kinds.Form) {
        const form = parseForm(value);
        if (form.ok) out.forms.push(form.value);
      }
    }
  return out;
}

/** LynqNodes from a file (`kubectl get lynqnodes -o yaml`); an invalid one is an error naming it. */
export function loadNodes(input: { name: string; text: string }): LynqNode[] {
  const out: LynqNode[] = [];
  for (const value of valuesOf(input.text)) {
    if (!isObject(value) || value['kind'] !== Kinds.Node) continue;
    const node = parseNode(value);
    if (!node.ok)
      throw new Error(
        `${input.name}: ${node.object}: ${node.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    out.push(node.value);
  }
  return out;
}
