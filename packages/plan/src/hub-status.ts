// LynqHub status (reference §3.1 step 13, §1.6).
import {
  ConditionTypes,
  EventReasons,
  HubReasons,
  type Condition,
  type LynqHub,
  type LynqHubStatus,
  type LynqNode,
} from '@lynq/api';
import { setConditions } from '@lynq/policy';
import type { RowProblemRef } from './rows.js';
import { asStatusConditions } from './status-conditions.js';

export interface HubStatusInput {
  hub: LynqHub;
  /** How many forms point at the hub. */
  forms: number;
  /**
   * The sync: a complete fetch with the number of desired nodes (forms × active rows) and the
   * rows left out, or the fetch error. After an error `desired` keeps its last value: the nodes
   * are all still there.
   */
  sync:
    | { ok: true; desired: number; problems?: readonly RowProblemRef[] }
    | { ok: false; message: string };
  /** The hub's LynqNodes, as listed this sync. */
  nodes: readonly LynqNode[];
  /** The deletion guard's sentence when it held this sync's deletions. */
  deletionsHeld?: string;
  now: Date;
}

const CONNECTED = 'Successfully connected to database and queried node data';
const FAILED = 'Failed to connect to database or query node data';

function problemSummary(problems: readonly RowProblemRef[]): string {
  const byCode = new Map<string, number>();
  for (const p of problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  const parts = [...byCode.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => `${code} ${n}`);
  return `${problems.length} row${problems.length === 1 ? '' : 's'} left out (${parts.join(', ')}); their nodes are kept as they are`;
}

function readyOf(node: LynqNode): 'True' | 'False' | 'Unknown' | undefined {
  return node.status?.conditions?.find((c) => c.type === ConditionTypes.Ready)?.status;
}

/**
 * The hub's status: counts from the listed nodes (ready = Ready True; failed = a Ready condition
 * that is not True, as Lynq counts), the `Ready` condition (DatabaseConnected /
 * DatabaseConnectionFailed) and, while the deletion guard holds deletions, a `Degraded`
 * condition with reason `DeletionGuardHeld` (removed after a sync that no longer holds; kept
 * as it is when the fetch failed, since nothing was decided). Transition times
 * of unchanged conditions are kept; fields this function does not own are kept as they are.
 */
export function computeHubStatus(input: HubStatusInput): LynqHubStatus {
  const { hub, nodes, sync, now } = input;
  const previous = hub.status ?? {};
  const generation = hub.metadata.generation;
  let ready = 0;
  let failed = 0;
  for (const node of nodes) {
    const status = readyOf(node);
    if (status === 'True') ready++;
    else if (status !== undefined) failed++;
  }
  let message: string;
  if (sync.ok)
    message = sync.problems?.length ? `${CONNECTED}; ${problemSummary(sync.problems)}` : CONNECTED;
  else message = `${FAILED}: ${sync.message}`;
  const withGeneration = generation === undefined ? {} : { observedGeneration: generation };
  let conditions: Condition[] = setConditions(
    previous.conditions,
    [
      {
        type: ConditionTypes.Ready,
        status: sync.ok ? 'True' : 'False',
        reason: sync.ok ? HubReasons.DatabaseConnected : HubReasons.DatabaseConnectionFailed,
        message,
        ...withGeneration,
      },
    ],
    now,
  );
  if (input.deletionsHeld !== undefined)
    conditions = setConditions(
      conditions,
      [
        {
          type: ConditionTypes.Degraded,
          status: 'True',
          reason: EventReasons.DeletionGuardHeld,
          message: input.deletionsHeld,
          ...withGeneration,
        },
      ],
      now,
    );
  else if (sync.ok)
    conditions = conditions.filter(
      (c) => !(c.type === ConditionTypes.Degraded && c.reason === EventReasons.DeletionGuardHeld),
    );
  const status: LynqHubStatus = {
    ...previous,
    referencingTemplates: input.forms,
    desired: sync.ok ? sync.desired : (previous.desired ?? 0),
    ready,
    failed,
    conditions: asStatusConditions(conditions),
  };
  if (generation !== undefined) status.observedGeneration = generation;
  return status;
}
