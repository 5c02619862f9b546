import type { Condition } from '@lynq/api';

/** A condition to set; lastTransitionTime is decided by setConditions. */
export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Sets conditions by type, keeping the existing `lastTransitionTime` of a condition whose status,
 * reason and message did not change (as Lynq's StatusManager does), so status writes do not churn.
 * Conditions of other types are kept in place; new ones are appended in the given order.
 */
export function setConditions(
  existing: readonly Condition[] | undefined,
  updates: readonly ConditionInput[],
  now: Date,
): Condition[] {
  const out = [...(existing ?? [])];
  for (const update of updates) {
    const index = out.findIndex((c) => c.type === update.type);
    const current = index >= 0 ? out[index] : undefined;
    const unchanged =
      current !== undefined &&
      current.status === update.status &&
      current.reason === update.reason &&
      current.message === update.message;
    const next: Condition = {
      ...update,
      lastTransitionTime:
        unchanged && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(now),
    };
    if (index >= 0) out[index] = next;
    else out.push(next);
  }
  return out;
}
