// In-progress statuses of LynqNodes, held back for a while (--progress-status-delay).
//
// A LynqNode's status write costs the API server about as much as creating one of its objects
// (the whole node, templates included, is decoded, validated against the CRD schema and encoded
// for every watcher), and a pass over a node's resources that waits for a Deployment would write
// it twice: "Progressing" when the Deployment is applied, "Ready" when it is Available. Measured
// at 220 nodes, the first write was a third of the API server's extra CPU and the difference
// between 1.6 and 1.1 times the raw limit. So the in-progress status of a pass is written only
// when the pass has run for the delay; a pass that ends sooner writes its outcome alone. Until
// then the held status stands in for the written one in this process (orphans, events), and a
// graceful stop writes what is held.
import type { LynqNode } from '@lynq/api';

export type NodeStatus = NonNullable<LynqNode['status']>;

export type HoldDecision =
  /** Write it now (and forget any held status). */
  | { readonly write: true }
  /** Held: reconcile again within `wakeInMs` to write it if the pass is still under way. */
  | { readonly write: false; readonly wakeInMs: number };

interface Held {
  status: NodeStatus;
  /** When the first status of this pass was held (ms). */
  since: number;
}

export class HeldStatuses {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly delayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The status this process holds for the node, to read in place of the written one. */
  get(key: string): NodeStatus | undefined {
    return this.held.get(key)?.status;
  }

  /**
   * Whether to write `status` now. Only a pass still under way (`inProgress`) is held, for at
   * most the delay from its first held status; an outcome is written at once.
   */
  offer(key: string, status: NodeStatus, inProgress: boolean): HoldDecision {
    const since = this.held.get(key)?.since ?? this.now();
    const left = since + this.delayMs - this.now();
    if (!inProgress || left <= 0) {
      this.held.delete(key);
      return { write: true };
    }
    this.held.set(key, { status, since });
    return { write: false, wakeInMs: left };
  }

  /** The node is gone, was written, or is no longer this process's to write. */
  forget(key: string): void {
    this.held.delete(key);
  }

  /** Everything held, for a final write at shutdown; the holder is empty afterwards. */
  drain(): Array<[key: string, status: NodeStatus]> {
    const all = [...this.held].map(([key, h]): [string, NodeStatus] => [key, h.status]);
    this.held.clear();
    return all;
  }

  get size(): number {
    return this.held.size;
  }
}
