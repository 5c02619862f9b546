import {
  Annotations,
  ConditionTypes,
  EventReasons,
  FormReasons,
  type RolloutConfig,
  type RolloutPhase,
  type RolloutStatus,
} from '@lynq/api';
import type { ConditionInput } from './conditions.js';
import { conditionsOf, findCondition, statusOf, type KubeObject } from './kube-object.js';

/** Lynq's grace period after the hub touches a node, before its status can be trusted (§3.6 (c)). */
export const ROLLOUT_SAFETY_MARGIN_MS = 2_000;

/** What rollout pacing needs to know about one LynqNode. */
export interface RolloutNodeState {
  name: string;
  /** `lynq.sh/template-generation`: the form generation the node was last rendered for. */
  templateGeneration: number | undefined;
  /** Ready condition is True. */
  ready: boolean;
  /** status.observedGeneration == metadata.generation. */
  reconciled: boolean;
  /** `lynq.sh/rollout-update-start`, else the creation time. */
  updateStartedAt: Date | undefined;
  /**
   * Whether the Deployments, StatefulSets and DaemonSets the node applied are really settled
   * (see checkRolloutReadiness); undefined when the caller did not look.
   */
  workloadsReady?: boolean | undefined;
}

function parseTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** Reads a LynqNode into the state rollout pacing needs. */
export function rolloutNodeState(node: KubeObject, workloadsReady?: boolean): RolloutNodeState {
  const annotations = node.metadata?.annotations ?? {};
  const generationText = annotations[Annotations.TemplateGeneration];
  const templateGeneration =
    generationText !== undefined && /^\d+$/.test(generationText)
      ? Number(generationText)
      : undefined;
  const observed = statusOf(node)?.['observedGeneration'];
  return {
    name: node.metadata?.name ?? '',
    templateGeneration,
    ready: findCondition(conditionsOf(node), ConditionTypes.Ready)?.status === 'True',
    reconciled: observed === (node.metadata?.generation ?? 0),
    updateStartedAt:
      parseTime(annotations[Annotations.RolloutUpdateStart]) ??
      parseTime(node.metadata?.creationTimestamp ?? undefined),
    workloadsReady,
  };
}

/**
 * Why a node counts against maxSkew (reference §3.6): it is on the form's current generation and
 * is not Ready, or not yet reconciled, or was touched less than 2s ago, or its workloads are still
 * rolling. Returns undefined when it is not updating.
 */
export function updatingReason(
  node: RolloutNodeState,
  formGeneration: number,
  now: Date,
): string | undefined {
  if (node.templateGeneration !== formGeneration) return undefined;
  if (!node.ready) return 'not Ready';
  if (!node.reconciled) return 'spec change not reconciled yet';
  if (
    node.updateStartedAt &&
    now.getTime() - node.updateStartedAt.getTime() < ROLLOUT_SAFETY_MARGIN_MS
  )
    return 'updated less than 2s ago';
  if (node.workloadsReady === false) return 'workloads still rolling out';
  return undefined;
}

/** A node the hub wants to create or update. */
export interface NodeChange {
  nodeName: string;
  action: 'create' | 'update';
}

export interface FormRolloutInput {
  formName: string;
  formGeneration: number;
  maxSkew: number;
  /** The form's existing nodes. */
  nodes: readonly RolloutNodeState[];
  /** Changes wanted this sync, in the order they should get free slots. */
  changes: readonly NodeChange[];
  now: Date;
}

export interface FormRolloutPlan {
  formName: string;
  /** Changes to make now. */
  allowed: NodeChange[];
  /** Changes to leave for a later sync. */
  throttled: NodeChange[];
  /** Nodes counted as updating before this sync's changes. */
  updating: string[];
  /** A Normal `RolloutThrottled` event for the hub when something was held back. */
  event?: { reason: typeof EventReasons.RolloutThrottled; message: string };
}

/**
 * maxSkew pacing for one form (reference §3.6): a change may proceed while the nodes already
 * updating plus the changes allowed so far this sync stay below maxSkew. 0 means no limit. Each
 * form is paced on its own. A change to a node that is already updating takes no new slot (it
 * does not widen the rollout), unlike Lynq, which counts it again.
 */
export function planFormRollout(input: FormRolloutInput): FormRolloutPlan {
  const { formName, formGeneration, maxSkew, nodes, changes, now } = input;
  const updating = nodes
    .filter((n) => updatingReason(n, formGeneration, now) !== undefined)
    .map((n) => n.name);
  if (maxSkew <= 0) return { formName, allowed: [...changes], throttled: [], updating };
  const busy = new Set(updating);
  const allowed: NodeChange[] = [];
  const throttled: NodeChange[] = [];
  for (const change of changes) {
    if (busy.has(change.nodeName)) allowed.push(change);
    else if (busy.size < maxSkew) {
      busy.add(change.nodeName);
      allowed.push(change);
    } else throttled.push(change);
  }
  const plan: FormRolloutPlan = { formName, allowed, throttled, updating };
  if (throttled.length > 0)
    plan.event = {
      reason: EventReasons.RolloutThrottled,
      message: `LynqForm '${formName}': ${throttled.length} node updates throttled (maxSkew=${maxSkew}, currently updating=${updating.length})`,
    };
  return plan;
}

// ---- form rollout status ------------------------------------------------------------------------

/** Numeric values of `lynqform_rollout_phase`. */
export const ROLLOUT_PHASE_VALUES: Readonly<Record<RolloutPhase, number>> = {
  Idle: 0,
  InProgress: 1,
  Failed: 2,
  Complete: 3,
};

export interface FormRolloutStatusInput {
  formGeneration: number;
  rollout: RolloutConfig | undefined;
  /** The form's current status.rollout, for startTime and completionTime. */
  previous: RolloutStatus | undefined;
  /** The form's nodes. */
  nodes: readonly RolloutNodeState[];
  now: Date;
}

export interface FormRolloutStatusResult {
  /** The new status.rollout; undefined when maxSkew is 0 (clear it and drop the rollout gauges). */
  rollout: RolloutStatus | undefined;
  /** Updated nodes that are not ready past progressDeadlineSeconds. */
  stuckNodes: string[];
  /** `lynqform_rollout_progress`: readyUpdated / total × 100 (0 without nodes). */
  progressPercent: number;
  /** A Warning `RolloutFailed` event for the form, only when the phase just became Failed. */
  event?: { reason: typeof EventReasons.RolloutFailed; message: string };
}

const MAX_NAMED_NODES = 10;

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMED_NODES).join(', ');
  return names.length > MAX_NAMED_NODES
    ? `${shown} and ${names.length - MAX_NAMED_NODES} more`
    : shown;
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * status.rollout of a form (reference §3.2), plus the progress deadline Lynq never enforced
 * (§13 item 1): an updated node that is still not Ready `progressDeadlineSeconds` after the hub
 * updated it is stuck, and a rollout with stuck nodes is `Failed`, naming them. It is computed
 * from the nodes every time, so it recovers by itself when they become ready. startTime is reset
 * when a new generation starts rolling out (Lynq never resets it).
 */
export function computeFormRolloutStatus(input: FormRolloutStatusInput): FormRolloutStatusResult {
  const { formGeneration, rollout, previous, nodes, now } = input;
  const total = nodes.length;
  const updated = nodes.filter((n) => n.templateGeneration === formGeneration);
  // A Ready condition written before the node's latest spec says nothing about that spec: until
  // the node controller has observed it, the node is still updating (else Complete comes early).
  const updatingNodes = updated.filter((n) => !n.ready || !n.reconciled);
  const readyUpdated = updated.length - updatingNodes.length;
  const progressPercent = total === 0 ? 0 : (readyUpdated / total) * 100;
  if (!rollout || rollout.maxSkew <= 0)
    return { rollout: undefined, stuckNodes: [], progressPercent };

  const deadlineMs = rollout.progressDeadlineSeconds * 1000;
  const stuckNodes = updatingNodes
    .filter(
      (n) =>
        n.updateStartedAt !== undefined && now.getTime() - n.updateStartedAt.getTime() > deadlineMs,
    )
    .map((n) => n.name)
    .sort();

  const sameRollout = previous?.targetGeneration === formGeneration;
  const startTime = (sameRollout ? previous?.startTime : undefined) ?? rfc3339(now);
  const counts = {
    targetGeneration: formGeneration,
    totalNodes: total,
    updatedNodes: updated.length,
    updatingNodes: updatingNodes.length,
    readyUpdatedNodes: readyUpdated,
  };

  let status: RolloutStatus;
  if (total === 0) {
    status = { phase: 'Idle', ...counts, message: 'No nodes using this template' };
    if (sameRollout && previous?.startTime) status.startTime = previous.startTime;
  } else if (readyUpdated === total) {
    status = {
      phase: 'Complete',
      ...counts,
      startTime,
      completionTime: (sameRollout ? previous?.completionTime : undefined) ?? rfc3339(now),
      message: `All ${total} nodes updated and ready`,
    };
  } else if (stuckNodes.length > 0) {
    status = {
      phase: 'Failed',
      ...counts,
      startTime,
      message: `Rollout exceeded its progress deadline (${rollout.progressDeadlineSeconds}s): ${stuckNodes.length} updated node${stuckNodes.length === 1 ? ' is' : 's are'} still not ready: ${nameList(stuckNodes)}`,
    };
  } else if (updated.length === 0) {
    status = { phase: 'Idle', ...counts, startTime, message: 'Waiting for nodes to be updated' };
  } else {
    status = {
      phase: 'InProgress',
      ...counts,
      startTime,
      message: `Updating: ${updated.length}/${total} nodes updated (${updatingNodes.length} updating, ${readyUpdated} ready)`,
    };
  }
  const result: FormRolloutStatusResult = { rollout: status, stuckNodes, progressPercent };
  if (status.phase === 'Failed' && previous?.phase !== 'Failed')
    result.event = { reason: EventReasons.RolloutFailed, message: status.message ?? '' };
  return result;
}

/** The form's Applied condition (reference §1.6) from its node counts. */
export function formAppliedCondition(totalNodes: number, readyNodes: number): ConditionInput {
  if (totalNodes === 0)
    return {
      type: ConditionTypes.Applied,
      status: 'False',
      reason: FormReasons.NoNodes,
      message: 'No nodes use this form',
    };
  if (readyNodes === totalNodes)
    return {
      type: ConditionTypes.Applied,
      status: 'True',
      reason: FormReasons.AllNodesReady,
      message: `All ${totalNodes} nodes ready`,
    };
  return {
    type: ConditionTypes.Applied,
    status: 'False',
    reason: FormReasons.NotAllNodesReady,
    message: `${readyNodes}/${totalNodes} nodes ready`,
  };
}
