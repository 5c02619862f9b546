// A hub or form reconcile looks at all of its nodes, and nodes progress one by one: reconciling
// the hub for each would cost O(nodes²) while thousands provision. Node progress is gathered for a
// while, in proportion to what the last reconcile of that object cost, so that these reconciles
// take a bounded share of the CPU (about 1 / factor) whatever the number of nodes.
import type { Reconciler, Request } from '@lynq/runtime';

export interface PacingOptions {
  /** Shortest wait: a few nodes turning Ready still reach the hub within this. */
  minMs: number;
  /** Longest wait, however costly the reconcile. */
  maxMs: number;
  /** Wait this many times the last reconcile's duration. */
  factor: number;
}

const DEFAULTS: PacingOptions = { minMs: 1000, maxMs: 10_000, factor: 4 };

const keyOf = (req: Request) => `${req.namespace ?? ''}/${req.name}`;

export class ProgressPacing {
  private readonly costMs = new Map<string, number>();
  private readonly options: PacingOptions;

  constructor(options: Partial<PacingOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The reconciler, timed. */
  timed(reconcile: Reconciler): Reconciler {
    return async (req, rc) => {
      const started = performance.now();
      try {
        return await reconcile(req, rc);
      } finally {
        this.costMs.set(keyOf(req), performance.now() - started);
      }
    };
  }

  /** How long to gather node progress before reconciling `req`. */
  delayMs(req: Request): number {
    const { minMs, maxMs, factor } = this.options;
    const cost = this.costMs.get(keyOf(req)) ?? 0;
    return Math.min(maxMs, Math.max(minMs, cost * factor));
  }

  forget(req: Request): void {
    this.costMs.delete(keyOf(req));
  }
}
