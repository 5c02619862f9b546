// A LynqNode carries a copy of its form's resources, which the hub controller replaces when the
// form changes (annotation lynq.sh/template-generation says which generation it copied). Between
// the form change and that replacement, applying the node would write its objects with the old
// template, only to rewrite them a moment later. That window is wide after a restart: every node
// is reconciled at once while the hub controller is still on its first pass (the fault suite saw
// 11 ConfigMaps created with the old template after a SIGKILL and a form change). So a node whose
// copy is older than its form waits for the new copy, for a bounded time: a hub that cannot
// replace it (its database down) must not stop the node from repairing its objects. A form with
// rollout.maxSkew holds nodes at the old template on purpose; those are applied as they are.
import type { LynqForm } from '@lynq/api';

export class StaleSpecWait {
  private readonly since = new Map<string, { generation: number; at: number }>();

  constructor(
    private readonly maxWaitMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * How long the node `key` should still wait for a new copy of its form (0: apply now), given
   * the generation its copy came from and the form as the cache has it.
   */
  waitMs(key: string, copiedGeneration: string | undefined, form: LynqForm | undefined): number {
    const copied = Number(copiedGeneration);
    const current = form?.metadata.generation;
    const paced = (form?.spec.rollout?.maxSkew ?? 0) > 0;
    if (
      copiedGeneration === undefined ||
      !Number.isInteger(copied) ||
      current === undefined ||
      paced ||
      copied >= current
    ) {
      this.since.delete(key);
      return 0;
    }
    let waiting = this.since.get(key);
    if (waiting === undefined || waiting.generation !== current) {
      waiting = { generation: current, at: this.now() };
      this.since.set(key, waiting);
    }
    return Math.max(0, waiting.at + this.maxWaitMs - this.now());
  }

  /** Nodes waiting (memory held). */
  get size(): number {
    return this.since.size;
  }
}
