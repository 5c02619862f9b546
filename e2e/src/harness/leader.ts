// Which of several operator processes sharing a Lease leads, as the processes themselves say it
// (their leader_election_master_status gauge), for the leader-election scenario and the fault suite.
import { Res } from './kube.js';
import { scrapeMetrics } from './metrics.js';
import type { OperatorProcess } from './operator.js';
import type { Scenario } from './scenario.js';

interface Lease {
  spec?: { holderIdentity?: string | null };
}

/** Whether `op` is running and reports that it holds the Lease named `lease`. */
export async function isLeader(op: OperatorProcess, lease: string): Promise<boolean> {
  if (op.exitStatus() !== undefined) return false;
  const m = await scrapeMetrics(op.metricsUrl);
  return m.value('leader_election_master_status', { name: lease }) === 1;
}

/**
 * Waits until exactly one of `ops` leads (the Lease `lease` in the scenario's namespace) and
 * returns it; on a timeout the message shows who claimed to lead and who held the Lease.
 */
export function theLeader(
  s: Scenario,
  lease: string,
  ops: readonly OperatorProcess[],
  timeoutMs: number,
): Promise<OperatorProcess> {
  return s.waitFor(
    async (note) => {
      const flags = await Promise.all(ops.map((op) => isLeader(op, lease)));
      const leaders = ops.filter((_, i) => flags[i]);
      const held = await s.kube.get<Lease>(Res.Lease, lease, s.namespace);
      note({ leaders: leaders.map((o) => o.name), holder: held?.spec?.holderIdentity });
      return leaders.length === 1 ? leaders[0] : undefined;
    },
    { what: `one leader among ${ops.map((o) => o.name).join(', ')}`, timeoutMs, intervalMs: 100 },
  );
}
