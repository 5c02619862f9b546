import { ConditionTypes, type LynqNode, type StatusCondition } from '@lynq/api';

/** Whether a node is Ready, and if not, why (from its Ready condition, or what is missing). */
export interface NodeReadiness {
  ready: boolean;
  /** The Ready condition's reason, or `NotFound`, `NoReadyCondition`, `StaleStatus`. */
  reason: string;
  message: string;
  /** The node's Ready condition, when it has one. */
  condition?: StatusCondition;
}

/**
 * A node is Ready when its Ready condition is True and its status was written for the current
 * generation: right after a spec change the old True condition still says nothing about the new
 * spec, so it does not count until the operator has observed that generation.
 */
export function nodeReadiness(node: LynqNode | undefined): NodeReadiness {
  if (node === undefined) {
    return { ready: false, reason: 'NotFound', message: 'the LynqNode does not exist' };
  }
  const condition = node.status?.conditions?.find((c) => c.type === ConditionTypes.Ready);
  if (condition === undefined) {
    return {
      ready: false,
      reason: 'NoReadyCondition',
      message: 'the operator has not reported a Ready condition yet',
    };
  }
  const generation = node.metadata.generation;
  const observed = node.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return {
      ready: false,
      reason: 'StaleStatus',
      message: `status is for generation ${observed}, the node is at generation ${generation}`,
      condition,
    };
  }
  return {
    ready: condition.status === 'True',
    reason: condition.reason,
    message: condition.message,
    condition,
  };
}
