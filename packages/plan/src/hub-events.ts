// The hub controller's events (reference §3.5), with Lynq's messages where it has one.
import {
  EventReasons,
  LIST_KINDS,
  RESOURCE_LIST_KEYS,
  type LynqHub,
  type LynqNodeSpec,
} from '@lynq/api';
import { regardingOf, type EventRegarding, type PlanEvent } from './events.js';

/** Where a node deletion comes from. */
export type DeleteReason = 'RowDeleted' | 'Deactivated' | 'FormGone' | 'Duplicate';

/** A LynqNode to delete. */
export interface NodeDeletion {
  name: string;
  namespace: string;
  /** metadata.uid: delete with this precondition, so a node recreated meanwhile survives. */
  uid?: string;
  /** The node's form (spec.templateRef) and row uid (spec.uid). */
  form: string;
  rowUid: string;
  reason: DeleteReason;
}

const REASON_TEXT: Record<DeleteReason, string> = {
  RowDeleted: 'its row is gone from the datasource',
  Deactivated: 'its row is no longer active',
  FormGone: 'its LynqForm is gone or no longer points at this hub',
  Duplicate: 'another LynqNode already stands for the same form and row',
};

export function hubRegarding(hub: LynqHub): EventRegarding {
  return regardingOf(hub);
}

/** Normal `NodeDeleting`, recorded before the delete. */
export function nodeDeletingEvent(hub: LynqHub, d: NodeDeletion): PlanEvent {
  return {
    type: 'Normal',
    reason: EventReasons.NodeDeleting,
    message: `Deleting LynqNode '${d.name}' (template: ${d.form}, uid: ${d.rowUid}): ${REASON_TEXT[d.reason]} (${d.reason})`,
    regarding: hubRegarding(hub),
  };
}

/** Normal `NodeDeleted`, after a successful delete. */
export function nodeDeletedEvent(hub: LynqHub, d: NodeDeletion): PlanEvent {
  return {
    type: 'Normal',
    reason: EventReasons.NodeDeleted,
    message: `Successfully deleted LynqNode '${d.name}' (template: ${d.form}, uid: ${d.rowUid})`,
    regarding: hubRegarding(hub),
  };
}

/** Warning `NodeDeletionFailed`, after a failed delete (NotFound is no failure). */
export function nodeDeletionFailedEvent(hub: LynqHub, d: NodeDeletion, error: string): PlanEvent {
  return {
    type: 'Warning',
    reason: EventReasons.NodeDeletionFailed,
    message: `Failed to delete LynqNode '${d.name}': ${error}`,
    regarding: hubRegarding(hub),
  };
}

/** Warning `DatabaseQueryFailed`. */
export function databaseQueryFailedEvent(hub: LynqHub, message: string): PlanEvent {
  return {
    type: 'Warning',
    reason: EventReasons.DatabaseQueryFailed,
    message: `Failed to query database: ${message}`,
    regarding: hubRegarding(hub),
  };
}

/** `[1 Deployment(s) 2 Service(s)]`, as Lynq's TemplateApplied message lists a node's resources. */
export function resourceSummary(spec: LynqNodeSpec): { total: number; text: string } {
  const parts: string[] = [];
  let total = 0;
  for (const key of RESOURCE_LIST_KEYS) {
    const n = spec[key]?.length ?? 0;
    if (n === 0) continue;
    total += n;
    parts.push(`${n} ${LIST_KINDS[key] ?? 'Manifest'}(s)`);
  }
  return { total, text: parts.length === 0 ? 'no resources' : `[${parts.join(' ')}]` };
}
