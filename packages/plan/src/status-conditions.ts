import type { Condition, StatusCondition } from '@lynq/api';

/**
 * Conditions as Lynq's status schema types them (metav1.Condition): setConditions always writes
 * reason, message and lastTransitionTime; a malformed condition found on the object gets "".
 */
export function asStatusConditions(conditions: readonly Condition[]): StatusCondition[] {
  return conditions.map((c) => ({
    ...c,
    reason: c.reason ?? '',
    message: c.message ?? '',
    lastTransitionTime: c.lastTransitionTime ?? '',
  }));
}
