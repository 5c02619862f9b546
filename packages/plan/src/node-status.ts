// LynqNode status (reference §3.3 step 6, §1.6) from the outcome of a reconcile.
import type { LynqNode, LynqNodeStatus } from '@lynq/api';
import { aggregateNodeStatus, nodeErrorConditions, type ResourceResult } from '@lynq/policy';
import type { NodePlanError } from './node-plan-error.js';
import { appliedResourceString, toAppliedRef, type ResourceKey } from './resource-key.js';
import { asStatusConditions } from './status-conditions.js';

export interface NodeStatusInput {
  node: LynqNode;
  /** How each resource ended this reconcile. */
  results: readonly ResourceResult[];
  /** What the node manages now (NodeObjects.tracked, minus orphans that were cleaned up). */
  applied: readonly ResourceKey[];
  now: Date;
  /** A new drift-correction baseline; the node's own is kept when absent. */
  lastFullReconcileAt?: string;
}

export interface NodeStatusResult {
  status: LynqNodeStatus;
  /** Degraded's reason while Degraded is True (`lynqnode_degraded_status`). */
  degradedReason: string | undefined;
}

/**
 * The node's status after a reconcile: counts and the four conditions (@lynq/policy
 * aggregateNodeStatus: a conflict counts as conflicted and failed, a skipped resource as
 * neither), `appliedResources` in Lynq's `Kind/namespace/name@id` form and our exact
 * `appliedResourceRefs`, both sorted. Fields this function does not own are kept.
 */
export function computeNodeStatus(input: NodeStatusInput): NodeStatusResult {
  const { node, now } = input;
  const previous = node.status ?? {};
  const generation = node.metadata.generation;
  const summary = aggregateNodeStatus({
    results: input.results,
    previous: previous.conditions,
    ...(generation === undefined ? {} : { generation }),
    now,
  });
  const applied = [...input.applied].sort((a, b) => {
    const x = appliedResourceString(a);
    const y = appliedResourceString(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const status: LynqNodeStatus = {
    ...previous,
    readyResources: summary.readyResources,
    desiredResources: summary.desiredResources,
    failedResources: summary.failedResources,
    conflictedResources: summary.conflictedResources,
    skippedResources: summary.skippedResources,
    skippedResourceIds: [...summary.skippedResourceIds].sort(),
    appliedResources: applied.map(appliedResourceString),
    appliedResourceRefs: applied.map(toAppliedRef),
    conditions: asStatusConditions(summary.conditions),
  };
  if (generation !== undefined) status.observedGeneration = generation;
  if (input.lastFullReconcileAt !== undefined)
    status.lastFullReconcileAt = input.lastFullReconcileAt;
  return { status, degradedReason: summary.degradedReason };
}

/**
 * The status of a node that could not be planned (VariablesBuildError, DependencyError): Ready
 * False with that reason, Degraded True; counts and applied objects kept as they were, so
 * nothing is forgotten for a later cleanup.
 */
export function computeNodeErrorStatus(input: {
  node: LynqNode;
  error: NodePlanError;
  now: Date;
}): LynqNodeStatus {
  const { node, error, now } = input;
  const previous = node.status ?? {};
  const generation = node.metadata.generation;
  const conditions = nodeErrorConditions({
    kind: error.kind,
    message: error.message,
    previous: previous.conditions,
    ...(generation === undefined ? {} : { generation }),
    now,
  });
  const status: LynqNodeStatus = { ...previous, conditions: asStatusConditions(conditions) };
  if (generation !== undefined) status.observedGeneration = generation;
  return status;
}
