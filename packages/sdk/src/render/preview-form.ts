import {
  LynqValidationError,
  parseForm,
  parseHub,
  type LynqForm,
  type LynqFormInput,
  type LynqHub,
  type LynqHubInput,
} from '@lynq/api';
import { previewHub, type ScopeOf } from '@lynq/plan';
import type { Manifest } from '@lynq/render';
import { hubForColumns, rowsThroughHub, uidPositions, type RowRecord } from '../rows.js';

export interface PreviewFormOptions {
  /**
   * The hub whose value mappings turn columns into variables (and whose name and namespace the
   * nodes get). Without it each column is a variable of its own name: `uid`, `activate` (default
   * "true"), `hostOrUrl`, and any other column as an extra variable.
   */
  hub?: LynqHubInput | LynqHub;
  /**
   * Source types of datasource plugins the hub may use, besides mysql and postgresql (its rows
   * come from `rows`, so the type only has to be known).
   */
  pluginSourceTypes?: readonly string[];
  /** Render a form in the `nunjucks` syntax. */
  allowNunjucks?: boolean;
  /** Whether a kind is namespaced (default: the well-known cluster-scoped kinds are not). */
  scopeOf?: ScopeOf;
}

/** A problem of one row, one node or one of its objects. */
export interface PreviewError {
  /** 1-based position of the row in `rows`, when the problem is a row's. */
  row?: number;
  uid?: string;
  node?: string;
  /** The form resource the problem is in. */
  resourceId?: string;
  message: string;
}

/** The objects one row's node would apply. */
export interface NodeManifests {
  /** The LynqNode's name. */
  node: string;
  uid: string;
  /** 1-based position of the row in `rows`. */
  row: number;
  /** In the order the node controller applies them (dependency levels). */
  manifests: Manifest[];
}

export interface FormPreview {
  /** One per active row, sorted by node name. */
  nodes: NodeManifests[];
  /** Every problem: rows without or with duplicate uids, templates that fail for a row, objects that cannot be applied. */
  errors: PreviewError[];
  /** Rows whose activate value is not truthy: they produce no node. */
  inactive: { row?: number; uid: string }[];
}

/**
 * What a form would produce for `rows`, as the operator would render it: the LynqNode of each
 * active row and the objects that node would apply, with every problem named by row, node and
 * resource. Pure and offline: nothing is read from or written to a cluster. Templates render in
 * this process, so use it on forms you trust (the operator renders untrusted ones in a sandbox).
 *
 * Throws LynqValidationError when the form or the hub itself is invalid.
 */
export function previewForm(
  formInput: LynqFormInput | LynqForm,
  rows: readonly RowRecord[],
  options: PreviewFormOptions = {},
): FormPreview {
  const form = parsed(parseForm(formInput));
  const source =
    options.hub !== undefined
      ? {
          hub: parsed(
            parseHub(options.hub, {
              ...(options.pluginSourceTypes !== undefined
                ? { pluginSourceTypes: options.pluginSourceTypes }
                : {}),
            }),
          ),
          records: rows,
        }
      : hubForColumns(form, rows);
  const hub = source.hub;
  if (form.spec.hubId !== hub.metadata.name) {
    throw new LynqValidationError(`LynqForm ${form.metadata.name ?? ''}`, [
      {
        path: 'spec.hubId',
        message: `is "${form.spec.hubId}", but the hub given is "${hub.metadata.name ?? ''}"`,
      },
    ]);
  }
  // The form previews in the hub's namespace, as the operator only pairs them there.
  const paired: LynqForm = {
    ...form,
    metadata: { ...form.metadata, namespace: hub.metadata.namespace },
  };
  const fetched = rowsThroughHub(hub, source.records);
  const rowOf = uidPositions(hub, source.records);

  const errors: PreviewError[] = fetched.problems.flatMap((p) =>
    p.rowNumbers.map((row) => ({ row, uid: p.uid, message: p.message })),
  );
  const inactive = fetched.rows.flatMap((r) =>
    r.active ? [] : [{ ...rowRef(rowOf, r.uid), uid: r.uid }],
  );

  const preview = previewHub({
    hub,
    forms: [paired],
    fetch: { ok: true, rows: fetched.rows, problems: fetched.problems },
    existing: [],
    now: new Date(),
    ...(options.scopeOf !== undefined ? { scopeOf: options.scopeOf } : {}),
    ...(options.allowNunjucks === true ? { allowNunjucks: true } : {}),
  });
  for (const e of preview.plan.renderErrors) {
    errors.push({
      ...rowRef(rowOf, e.uid),
      node: e.node,
      ...(e.resourceId !== undefined ? { resourceId: e.resourceId } : {}),
      message: e.path !== undefined ? `${e.path}: ${e.message}` : e.message,
    });
  }
  const nodes: NodeManifests[] = [];
  for (const node of preview.nodes) {
    const ref = rowRef(rowOf, node.uid);
    for (const message of node.errors) errors.push({ ...ref, node: node.name, message });
    const manifests: Manifest[] = [];
    for (const object of node.objects) {
      if (object.action === 'error')
        errors.push({
          ...ref,
          node: node.name,
          resourceId: object.id,
          message: object.error ?? 'not rendered',
        });
      else if (object.manifest !== undefined) manifests.push(object.manifest);
    }
    nodes.push({ node: node.name, uid: node.uid, row: ref.row ?? 0, manifests });
  }
  return { nodes, errors, inactive };
}

function rowRef(rowOf: ReadonlyMap<string, number>, uid: string): { row?: number; uid: string } {
  const row = rowOf.get(uid);
  return row !== undefined ? { row, uid } : { uid };
}

function parsed<T>(
  result:
    | { ok: true; value: T }
    | { ok: false; object: string; errors: { path: string; message: string }[] },
): T {
  if (result.ok) return result.value;
  throw new LynqValidationError(result.object, result.errors);
}
