// In-progress statuses of LynqNodes, held back for a while (--progress-status-delay).
//
// A LynqNode's status write costs the API server about as much as creating one of its objects
// (the whole node, templates included, is decoded, validated against the CRD schema and encoded
// for every watcher), and a pass over a node's resources that waits for a Deployment would write
// it twice: "Progressing" when the Deployment is applied, "Ready" when it is Available. At 220
// new nodes those first writes and the events were most of the CPU the operator added to the API
// server (docs/performance.md, third round). So the in-progress status of a pass is written only
// when the pass has run for the delay; a pass that ends sooner writes its outcome alone. Until
// then the held status stands in for the written one in this process (orphans, events), and a
// graceful stop writes what is held, as far as its time allows.
import type { LynqNode } from '@lynq/api';

export type NodeStatus = NonNullable<LynqNode['status']>;

export interface HeldEntry {
  key: string;
  uid: string;
  status: NodeStatus;
}

export type HoldDecision =
  /** Write it now (and forget any held status). */
  | { readonly write: true }
  /** Held: reconcile again within `wakeInMs` to write it if the pass is still under way. */
  | { readonly write: false; readonly wakeInMs: number };

interface Held {
  /** The node's uid: a node deleted and created again under its name starts afresh. */
  uid: string;
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
  get(key: string, uid: string): NodeStatus | undefined {
    const held = this.held.get(key);
    if (held === undefined) return undefined;
    if (held.uid === uid) return held.status;
    this.held.delete(key); // an earlier node of that name
    return undefined;
  }

  /**
   * Whether to write `status` now. Only a pass still under way (`inProgress`) is held, for at
   * most the delay from its first held status; an outcome is written at once.
   */
  offer(key: string, uid: string, status: NodeStatus, inProgress: boolean): HoldDecision {
    const earlier = this.held.get(key);
    const since = earlier?.uid === uid ? earlier.since : this.now();
    const left = since + this.delayMs - this.now();
    if (!inProgress || left <= 0) {
      this.held.delete(key);
      return { write: true };
    }
    this.held.set(key, { uid, status, since });
    return { write: false, wakeInMs: left };
  }

  /** The node is gone, was written, or is no longer this process's to write. */
  forget(key: string): void {
    this.held.delete(key);
  }

  /** forget() for every key `which` selects (a shard lost: its nodes may be gone from the cache). */
  forgetWhere(which: (key: string) => boolean): void {
    for (const key of this.held.keys()) if (which(key)) this.held.delete(key);
  }

  /** What is held for the keys `which` selects, taken out of the holder (to be written). */
  take(which: (key: string) => boolean = () => true): HeldEntry[] {
    const taken: HeldEntry[] = [];
    for (const [key, h] of this.held) {
      if (!which(key)) continue;
      taken.push({ key, uid: h.uid, status: h.status });
      this.held.delete(key);
    }
    return taken;
  }

  get size(): number {
    return this.held.size;
  }
}
