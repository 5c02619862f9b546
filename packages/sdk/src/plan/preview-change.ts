import {
  LynqValidationError,
  parseForm,
  parseHub,
  type FieldIssue,
  type LynqForm,
  type LynqFormInput,
  type LynqHub,
  type LynqHubInput,
  type LynqNode,
} from '@lynq/api';
import { previewHub, type HubPreview, type ScopeOf } from '@lynq/plan';
import { rowsThroughHub, type RowRecord } from '../rows.js';

export interface PreviewChangeInput {
  /** The hub as it would be after the change. */
  hub: LynqHubInput | LynqHub;
  /** Its forms as they would be (forms of other hubs are ignored, as the operator ignores them). */
  forms: readonly (LynqFormInput | LynqForm)[];
  /** The rows its datasource holds, keyed by column. */
  rows: readonly RowRecord[];
  /** The hub's LynqNodes as they are now (e.g. `LynqClient.nodesOfHub`); none: every node is new. */
  existing?: readonly LynqNode[];
  /** Source types of datasource plugins, besides mysql and postgresql. */
  pluginSourceTypes?: readonly string[];
  allowNunjucks?: boolean;
  /** Whether a kind is namespaced (default: the well-known cluster-scoped kinds are not). */
  scopeOf?: ScopeOf;
  /** The time maxSkew and progress deadlines are measured at (default now). */
  now?: Date;
}

/**
 * What a hub or form change would do to the hub's nodes, as the hub and node controllers would
 * decide it: nodes created, updated (and why) and deleted (and why), deletions the deletion guard
 * holds, changes maxSkew leaves for later, and per node each object created, changed (field by
 * field), unchanged or removed. Offline and pure; templates render in this process, so use it on
 * forms you trust. Throws LynqValidationError naming each invalid field of the hub or a form.
 */
export function previewChange(input: PreviewChangeInput): HubPreview {
  const hubResult = parseHub(input.hub, {
    ...(input.pluginSourceTypes !== undefined
      ? { pluginSourceTypes: input.pluginSourceTypes }
      : {}),
  });
  if (!hubResult.ok) throw new LynqValidationError(hubResult.object, hubResult.errors);
  const hub = hubResult.value;
  const forms: LynqForm[] = [];
  const errors: { object: string; issues: FieldIssue[] }[] = [];
  for (const f of input.forms) {
    const result = parseForm(f);
    if (result.ok) forms.push(result.value);
    else errors.push({ object: result.object, issues: result.errors });
  }
  if (errors.length > 0) {
    // One error for every invalid form; the paths say which form through the object name.
    throw new LynqValidationError(
      errors.map((e) => e.object).join(', '),
      errors.flatMap((e) =>
        e.issues.map((i) =>
          errors.length > 1 ? { ...i, message: `${e.object}: ${i.message}` } : i,
        ),
      ),
    );
  }
  const fetched = rowsThroughHub(hub, input.rows);
  return previewHub({
    hub,
    forms,
    fetch: { ok: true, rows: fetched.rows, problems: fetched.problems },
    existing: input.existing ?? [],
    now: input.now ?? new Date(),
    ...(input.scopeOf !== undefined ? { scopeOf: input.scopeOf } : {}),
    ...(input.allowNunjucks === true ? { allowNunjucks: true } : {}),
  });
}
