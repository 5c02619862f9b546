// The variables of a node from its annotations: the inverse of what the hub writes (§3.3 step 1).
import { Annotations, NODE_WITHOUT_SPEC, formatPath, type LynqNode } from '@lynq/api';
import { buildVariables, type NodeVariablesInput, type TemplateVariables } from '@lynq/render';
import { NodePlanError } from './node-plan-error.js';

export type NodeVariablesResult =
  { ok: true; variables: TemplateVariables } | { ok: false; error: NodePlanError };

const EXTRA_FIELD = formatPath(['metadata', 'annotations', Annotations.Extra]);

function parseExtras(text: string): Record<string, string> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  // Go unmarshals `null` into a nil map without error.
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const out = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(out))
    if (typeof v !== 'string') return `the value of ${JSON.stringify(key)} is not a string`;
  return out as Record<string, string>;
}

/**
 * uid and templateRef from the spec; activate from `lynq.sh/activate` ("true" when absent);
 * hubId from `lynq.sh/hubId`; the extra mappings from the `lynq.sh/extra` JSON; `.hostOrUrl` and
 * `.host` only when the `lynq.sh/hostOrUrl` annotation exists. Unlike Lynq, a missing hostOrUrl
 * is never replaced by the uid (§13 item 9). Bad extra JSON is a VariablesBuildError.
 */
export function nodeVariables(node: LynqNode): NodeVariablesResult {
  const spec = node.spec;
  if (!spec)
    return {
      ok: false,
      error: new NodePlanError('VariablesBuildError', 'spec', `spec ${NODE_WITHOUT_SPEC}`),
    };
  const annotations = node.metadata.annotations ?? {};
  const extraText = annotations[Annotations.Extra];
  let extra: Record<string, string> = {};
  if (extraText !== undefined && extraText !== '') {
    const parsed = parseExtras(extraText);
    if (typeof parsed === 'string')
      return {
        ok: false,
        error: new NodePlanError(
          'VariablesBuildError',
          EXTRA_FIELD,
          `failed to build variables: annotation ${Annotations.Extra} is not a JSON object of strings: ${parsed}`,
        ),
      };
    extra = parsed;
  }
  const input: NodeVariablesInput = {
    uid: spec.uid,
    activate: annotations[Annotations.Activate] ?? 'true',
    hubId: annotations[Annotations.HubId] ?? '',
    templateRef: spec.templateRef,
    extra,
  };
  const host = annotations[Annotations.HostOrUrl];
  if (host !== undefined) input.hostOrUrl = host;
  return { ok: true, variables: buildVariables(input) };
}
