// Several replicas (issue 13): the hub and form controllers run on the leader; the node
// controller runs on every replica and reconciles the LynqNodes of the shards it holds
// (@lynq/runtime's ShardElector: one Lease per shard, a fair share per live replica).
import {
  objectKey,
  requestKey,
  type Controller,
  type ManagerSharding,
  type RestClient,
  type ShardElector,
} from '@lynq/runtime';
import { NodeType, type OperatorContext } from './context.js';
import type { OperatorConfig } from './flags.js';

/** How long a shard given back may spend writing the statuses it held. */
const HELD_WRITES_ON_RELEASE_MS = 5_000;

/**
 * The manager's sharding settings: with more than one shard (which needs leader election), the
 * shard Leases sit next to the leader Lease and use its timings, so a replica stops working on a
 * shard before another one may take it, exactly as a leader stops before a standby takes over.
 * Their requests go through `leaseClient`, a small pool of its own: a leader creating hundreds of
 * nodes must not make a renewal wait for a connection until its deadline passes.
 */
export function shardingOf(
  config: OperatorConfig,
  leaseClient: () => RestClient,
): (ManagerSharding & { client: RestClient }) | undefined {
  const le = config.leaderElection;
  if (!le.enabled || config.sharding.shards <= 1) return undefined;
  return {
    client: leaseClient(),
    shards: config.sharding.shards,
    namespace: le.namespace,
    name: le.id,
    identity: config.sharding.replicaId,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
  };
}

/**
 * When a shard leaves this replica, what this replica said about its nodes goes too: their
 * per-node metric series (the new holder exports them now; two replicas exporting one node's
 * gauges would double it in sums), the event de-duplication memory and the statuses it held
 * back. A shard given back (its Lease renewed until this returns) first writes those statuses,
 * so that the new holder reads what this replica applied; a lost one may already be another's.
 */
export function forgetNodesOfReleasedShards(
  shards: ShardElector,
  nodeController: Controller,
  ctx: Pick<OperatorContext, 'nodes' | 'metrics' | 'events'>,
  held: {
    writeHeld(signal: AbortSignal, which: (key: string) => boolean): Promise<number>;
    forgetHeldWhere(which: (key: string) => boolean): void;
  },
): void {
  shards.addListener({
    released: async (shard, reason) => {
      // After the reconciles of the shard returned: none of them can export a series again.
      const inShard = (key: string) => shards.shardOf(key) === shard;
      await nodeController.abortWhere((req) => inShard(requestKey(req)));
      if (reason === 'released')
        await held.writeHeld(AbortSignal.timeout(HELD_WRITES_ON_RELEASE_MS), inShard);
      held.forgetHeldWhere(inShard);
      for (const node of ctx.nodes.store.list()) {
        if (!inShard(objectKey(node))) continue;
        const namespace = node.metadata.namespace ?? '';
        const name = node.metadata.name ?? '';
        ctx.metrics.nodeDeleted(namespace, name);
        ctx.events.node.forget(NodeType.kind, namespace, name);
      }
    },
  });
}
