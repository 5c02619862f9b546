import { ConditionTypes, NodeReasons, type Condition } from '@lynq/api';
import { setConditions, type ConditionInput } from './conditions.js';

/** How one resource of a node ended this reconcile. */
export type ResourceOutcome =
  /** Applied and ready (or waitForReady false, or a Once resource already created). */
  | 'ready'
  /** Applied but not ready yet, or blocked behind a dependency that is not ready yet. */
  | 'waiting'
  /** Render or apply error, or readiness timeout. */
  | 'failed'
  /** The apply hit a field-ownership conflict with conflictPolicy Stuck. */
  | 'conflicted'
  /** Not applied because a dependency failed (skipOnDependencyFailure). */
  | 'skipped';

export interface ResourceResult {
  id: string;
  outcome: ResourceOutcome;
}

export interface NodeStatusInput {
  results: readonly ResourceResult[];
  /** The node's current conditions, to keep transition times. */
  previous: readonly Condition[] | undefined;
  /** The node's metadata.generation, recorded on each condition. */
  generation?: number;
  now: Date;
}

export interface NodeStatusSummary {
  desiredResources: number;
  readyResources: number;
  /** Failed resources, conflicts included (see below). */
  failedResources: number;
  conflictedResources: number;
  skippedResources: number;
  skippedResourceIds: string[];
  conditions: Condition[];
  /** Degraded's reason when Degraded is True (for `lynqnode_degraded_status`). */
  degradedReason: string | undefined;
}

/**
 * Counts and the four node conditions (reference §1.6). Counting follows Lynq, because its E2E
 * tests, printer columns and metrics rely on it: a conflict counts as **both** conflicted and
 * failed, a skipped resource as neither ready nor failed (§13 item 12). Reasons are chosen by the
 * precedence failed ∧ conflicted → conflicted → failed → not all ready, where "failed" means
 * failures other than conflicts, so a node whose only problem is a conflict reads
 * `ResourcesConflicted` rather than `ResourcesFailedAndConflicted`.
 */
export function aggregateNodeStatus({
  results,
  previous,
  generation,
  now,
}: NodeStatusInput): NodeStatusSummary {
  const count = (o: ResourceOutcome) => results.filter((r) => r.outcome === o).length;
  const desired = results.length;
  const ready = count('ready');
  const conflicted = count('conflicted');
  const failedOther = count('failed');
  const failed = failedOther + conflicted;
  const waiting = count('waiting');
  const skippedResourceIds = results.filter((r) => r.outcome === 'skipped').map((r) => r.id);

  let readyCondition: ConditionInput;
  let degraded: ConditionInput;
  if (failedOther > 0 && conflicted > 0) {
    const message = `${failedOther} resources failed and ${conflicted} resources are in conflict`;
    readyCondition = condition(
      ConditionTypes.Ready,
      'False',
      NodeReasons.ResourcesFailedAndConflicted,
      message,
    );
    degraded = condition(
      ConditionTypes.Degraded,
      'True',
      NodeReasons.ResourceFailuresAndConflicts,
      message,
    );
  } else if (conflicted > 0) {
    const message = `${conflicted} resources are in conflict`;
    readyCondition = condition(
      ConditionTypes.Ready,
      'False',
      NodeReasons.ResourcesConflicted,
      message,
    );
    degraded = condition(ConditionTypes.Degraded, 'True', NodeReasons.ResourceConflicts, message);
  } else if (failedOther > 0) {
    readyCondition = condition(
      ConditionTypes.Ready,
      'False',
      NodeReasons.ResourcesFailed,
      `${failedOther} resources failed`,
    );
    degraded = condition(
      ConditionTypes.Degraded,
      'True',
      NodeReasons.ResourceFailures,
      `LynqNode has ${failedOther} failed resources`,
    );
  } else if (ready !== desired) {
    const message = `Not all resources are ready: ${ready}/${desired} ready`;
    readyCondition = condition(
      ConditionTypes.Ready,
      'False',
      NodeReasons.NotAllResourcesReady,
      message,
    );
    degraded = condition(ConditionTypes.Degraded, 'True', NodeReasons.ResourcesNotReady, message);
  } else {
    readyCondition = condition(
      ConditionTypes.Ready,
      'True',
      NodeReasons.Reconciled,
      `All ${desired} resources are ready`,
    );
    degraded = condition(
      ConditionTypes.Degraded,
      'False',
      NodeReasons.Healthy,
      'All resources are healthy',
    );
  }
  const progressing =
    waiting > 0
      ? condition(
          ConditionTypes.Progressing,
          'True',
          NodeReasons.Reconciling,
          `Waiting for ${waiting} resources to become ready`,
        )
      : condition(
          ConditionTypes.Progressing,
          'False',
          NodeReasons.ReconcileComplete,
          'Reconcile complete',
        );
  const conflictedCondition =
    conflicted > 0
      ? condition(
          ConditionTypes.Conflicted,
          'True',
          NodeReasons.ResourceConflict,
          `${conflicted} resources are in conflict`,
        )
      : condition(
          ConditionTypes.Conflicted,
          'False',
          NodeReasons.NoConflict,
          'No resource conflicts',
        );

  const updates = [readyCondition, progressing, conflictedCondition, degraded].map((c) =>
    generation === undefined ? c : { ...c, observedGeneration: generation },
  );
  return {
    desiredResources: desired,
    readyResources: ready,
    failedResources: failed,
    conflictedResources: conflicted,
    skippedResources: skippedResourceIds.length,
    skippedResourceIds,
    conditions: setConditions(previous, updates, now),
    degradedReason: degraded.status === 'True' ? degraded.reason : undefined,
  };
}

/** Why a node could not even start applying (reference §3.3 steps 1–2). */
export type NodeErrorKind = 'VariablesBuildError' | 'DependencyError' | 'SortError';

/**
 * Conditions for a node that failed before applying anything: Ready False with the error's
 * reason, Degraded True (`VariablesBuildError`, or `DependencyCycle` for graph errors). Other
 * conditions are kept as they are.
 */
export function nodeErrorConditions(input: {
  kind: NodeErrorKind;
  message: string;
  previous: readonly Condition[] | undefined;
  generation?: number;
  now: Date;
}): Condition[] {
  const degradedReason =
    input.kind === 'VariablesBuildError'
      ? NodeReasons.VariablesBuildError
      : NodeReasons.DependencyCycle;
  const updates = [
    condition(ConditionTypes.Ready, 'False', NodeReasons[input.kind], input.message),
    condition(ConditionTypes.Degraded, 'True', degradedReason, input.message),
  ].map((c) =>
    input.generation === undefined ? c : { ...c, observedGeneration: input.generation },
  );
  return setConditions(input.previous, updates, input.now);
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
): ConditionInput {
  return { type, status, reason, message };
}
