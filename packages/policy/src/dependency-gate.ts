import { EventReasons } from '@lynq/api';
import type { ResourceOutcome } from './node-status.js';

/** Whether a resource may be applied now, given how its dependencies ended (reference §3.3 step 5). */
export type DependencyGate =
  | { action: 'proceed' }
  /** A dependency is applied but not ready yet: wait silently (no event, no count). */
  | { action: 'block'; waitingFor: string[] }
  /** A dependency failed and skipOnDependencyFailure is true: skip, and count as skipped. */
  | {
      action: 'skip';
      failedDependency: string;
      event: { type: 'Warning'; reason: typeof EventReasons.DependencySkipped; message: string };
    }
  /** A dependency failed but skipOnDependencyFailure is false: apply anyway, with a warning. */
  | {
      action: 'proceed-despite-failure';
      failedDependencies: string[];
      event: {
        type: 'Warning';
        reason: typeof EventReasons.DependencyFailedButProceeding;
        message: string;
      };
    };

export interface DependencyGateInput {
  resourceId: string;
  dependIds: readonly string[] | undefined;
  /** Nil means true (the CRD default). */
  skipOnDependencyFailure: boolean | undefined;
  /** Outcomes of the resources decided so far (earlier levels). */
  outcomes: ReadonlyMap<string, ResourceOutcome>;
}

/**
 * A failed, conflicted or skipped dependency counts as failed, so skips cascade down the graph;
 * a dependency that is waiting (or not decided yet) blocks. A failure is reported before a wait.
 */
export function decideDependencyGate({
  resourceId,
  dependIds,
  skipOnDependencyFailure,
  outcomes,
}: DependencyGateInput): DependencyGate {
  const failed: string[] = [];
  const waiting: string[] = [];
  for (const dep of dependIds ?? []) {
    const outcome = outcomes.get(dep);
    if (outcome === 'failed' || outcome === 'conflicted' || outcome === 'skipped') failed.push(dep);
    else if (outcome !== 'ready') waiting.push(dep);
  }
  const firstFailed = failed[0];
  if (firstFailed !== undefined && skipOnDependencyFailure !== false)
    return {
      action: 'skip',
      failedDependency: firstFailed,
      event: {
        type: 'Warning',
        reason: EventReasons.DependencySkipped,
        message: `Resource '${resourceId}' skipped because dependency '${firstFailed}' failed. Set skipOnDependencyFailure=false to create anyway.`,
      },
    };
  if (waiting.length > 0) return { action: 'block', waitingFor: waiting };
  if (failed.length > 0)
    return {
      action: 'proceed-despite-failure',
      failedDependencies: failed,
      event: {
        type: 'Warning',
        reason: EventReasons.DependencyFailedButProceeding,
        message: `Resource '${resourceId}' is applied although dependency '${failed.join("', '")}' failed, because skipOnDependencyFailure is false.`,
      },
    };
  return { action: 'proceed' };
}
