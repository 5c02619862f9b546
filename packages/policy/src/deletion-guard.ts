import { Annotations, type DeletionGuard } from '@lynq/api';

export const DEFAULT_DELETION_GUARD: DeletionGuard = { maxDeletePercent: 50, minDeletions: 10 };

export interface DeletionGuardInput {
  /** The hub: its generation, annotations and spec.deletionGuard. */
  hub: {
    metadata: { name?: string; generation?: number; annotations?: Record<string, string> };
    spec: { deletionGuard?: Partial<DeletionGuard> | undefined };
  };
  /** How many LynqNodes the hub has now. */
  currentNodes: number;
  /** How many of them this sync would delete. */
  deletions: number;
  /**
   * The datasource answered with no rows at all (an emptied or truncated table, a view or a
   * filter that matches nothing). Then no deletion passes without an approval, however few.
   */
  sourceEmpty?: boolean;
}

export interface DeletionGuardDecision {
  allowed: boolean;
  /** held: over the limits and not approved; approved: over the limits with a matching approval. */
  outcome: 'within-limits' | 'approved' | 'held';
  /** A sentence for hub status and events. */
  reason: string;
}

/**
 * Caps how much one sync may delete (ours; Lynq has no guard). Deletions are held when they are
 * more than `maxDeletePercent`% of the hub's nodes AND more than `minDeletions` nodes (defaults
 * 50% and 10), so small hubs and routine churn pass, and always when the datasource returned no
 * rows at all while the hub has nodes (the table emptied or truncated: a fault far more often than
 * an intent). An operator approves a large deletion by
 * setting the annotation `lynq.sh/approve-deletions` on the hub to its current
 * `metadata.generation`; an approval for another generation is stale and does not count, so a
 * later change to the hub spec needs a new approval. Call it only after a complete, successful
 * read of the datasource: an error or timeout must never reach deletion at all.
 */
export function checkDeletionGuard({
  hub,
  currentNodes,
  deletions,
  sourceEmpty,
}: DeletionGuardInput): DeletionGuardDecision {
  const maxDeletePercent =
    hub.spec.deletionGuard?.maxDeletePercent ?? DEFAULT_DELETION_GUARD.maxDeletePercent;
  const minDeletions = hub.spec.deletionGuard?.minDeletions ?? DEFAULT_DELETION_GUARD.minDeletions;
  const percent = currentNodes === 0 ? 0 : Math.round((deletions / currentNodes) * 1000) / 10;
  const what = `this sync would delete ${deletions} of ${currentNodes} LynqNodes (${percent}%)`;
  // Integer comparison: deletions / currentNodes > maxDeletePercent / 100.
  const overShare = deletions * 100 > currentNodes * maxDeletePercent;
  const emptied = sourceEmpty === true && deletions > 0;
  if (!emptied && (deletions === 0 || !overShare || deletions <= minDeletions))
    return {
      allowed: true,
      outcome: 'within-limits',
      reason: `${what}, within the deletion guard`,
    };

  const generation = hub.metadata.generation ?? 0;
  const approval = hub.metadata.annotations?.[Annotations.ApproveDeletions];
  const limits = emptied
    ? 'and the datasource returned no rows at all'
    : `more than ${maxDeletePercent}% and more than ${minDeletions}`;
  if (approval !== undefined && approval.trim() === String(generation))
    return {
      allowed: true,
      outcome: 'approved',
      reason: `${what}, ${limits}; approved by annotation ${Annotations.ApproveDeletions}=${generation}`,
    };
  const stale =
    approval === undefined
      ? ''
      : ` (the annotation approves generation ${JSON.stringify(approval)}, but the hub is at generation ${generation})`;
  return {
    allowed: false,
    outcome: 'held',
    reason: `deletions held: ${what}, ${limits}${stale}; check the datasource, then set annotation ${Annotations.ApproveDeletions}="${generation}" on the LynqHub to allow them`,
  };
}
