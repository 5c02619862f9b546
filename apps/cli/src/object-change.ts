// One object of a node in the output of `lynq plan` and `lynq diff`: the record both print, built
// from a render comparison (@lynq/plan's ObjectPreview), refined by the API server's dry run, and
// written as one table line with its field changes below it. Both commands share it so that an
// object reads the same in either.
import type { FieldChange, ObjectPreview, PlannedObject } from '@lynq/plan';
import type { Cluster } from './cluster.js';
import { serverDiff, type NodeIdentity } from './dry-run.js';
import { inline } from './output.js';

export interface ObjectChangeOut {
  id: string;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  action: string;
  changes: FieldChange[];
  error?: string;
}

/** The record of a compared object, with the changes to show (masked, or none until a dry run). */
export function objectChangeOut(o: ObjectPreview, changes: FieldChange[]): ObjectChangeOut {
  return {
    id: o.id,
    ...(o.key
      ? {
          apiVersion: o.key.apiVersion,
          kind: o.key.kind,
          ...(o.key.namespace ? { namespace: o.key.namespace } : {}),
          name: o.key.name,
        }
      : {}),
    action: o.action,
    changes,
    ...(o.error ? { error: o.error } : {}),
  };
}

/** Whether a dry run can say more about the object: it is neither going away nor unrenderable. */
export function dryRunnable(out: ObjectChangeOut): boolean {
  return out.action !== 'remove' && out.action !== 'error';
}

/** Replaces the record's action, changes and error with the API server's dry-run answer. */
export async function applyServerDiff(
  cluster: Cluster,
  node: NodeIdentity,
  planned: PlannedObject,
  out: ObjectChangeOut,
): Promise<void> {
  const d = await serverDiff(cluster, node, planned);
  out.action = d.action === 'skipped' ? 'unchanged' : d.action;
  out.changes = d.changes;
  if (d.error) out.error = d.error;
}

/** The mark before a node's or an object's line. */
export const ACTION_SIGN: Readonly<Record<string, string>> = {
  create: '+',
  update: '~',
  delete: '-',
  change: '~',
  remove: '-',
  unchanged: '=',
  error: '!',
  skipped: '=',
};

/** `Kind namespace/name (id)`, or `resource id` when it was not rendered. */
export function objectLabel(o: ObjectChangeOut): string {
  if (!o.kind) return `resource ${o.id}`;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.id})`;
}

export function changeLine(c: FieldChange): string {
  if (c.op === 'add') return `+ ${c.path}: ${inline(c.after)}`;
  if (c.op === 'remove') return `- ${c.path}: ${inline(c.before)}`;
  return `~ ${c.path}: ${inline(c.before)} → ${inline(c.after)}`;
}
