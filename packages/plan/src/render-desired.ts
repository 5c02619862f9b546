import { renderForm, type RenderOptions } from '@lynq/render';
import type { DesiredNodes } from './desired-nodes.js';
import type { HubRenderOutcome } from './plan-hub.js';

/**
 * Renders the hub-level templates of every desired entry in this process (for `lynq plan`, the
 * SDK and tests; the operator uses its isolated RenderHost with the same forms and variables).
 */
export function renderDesiredNodes(
  desired: DesiredNodes,
  options: RenderOptions = {},
): Map<string, HubRenderOutcome> {
  const sources = new Map(desired.forms.map((f) => [f.name, f.source]));
  const out = new Map<string, HubRenderOutcome>();
  for (const entry of desired.entries) {
    const source = sources.get(entry.form)!;
    out.set(entry.id, {
      ok: true,
      result: renderForm(source, entry.variables, { ...options, namespace: entry.namespace }),
    });
  }
  return out;
}
