// Nodes a hub sync created whose watch event has not arrived yet. The sync that follows (woken by
// those very creates) would otherwise plan them as missing and POST them again, to be refused
// with AlreadyExists: one wasted write per lagging node and a retry of the whole sync.
import type { KubeObject } from '@lynq/runtime';

export class RecentCreates {
  /** Hub key → node name → the node as the API server returned it, and when. */
  private readonly byHub = new Map<string, Map<string, { node: KubeObject; at: number }>>();

  constructor(
    /** After this long the cache is trusted again (a relist may skip an event). */
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  created(hubKey: string, node: KubeObject): void {
    let nodes = this.byHub.get(hubKey);
    if (nodes === undefined) this.byHub.set(hubKey, (nodes = new Map()));
    nodes.set(node.metadata.name ?? '', { node, at: this.now() });
  }

  /**
   * `existing` (from the cache) and the nodes created since that the cache has not seen. An entry
   * ends once the cache holds a node of that name, or when it expires.
   */
  withUnseen<T>(hubKey: string, existing: readonly T[], inCache: (name: string) => boolean): T[] {
    const nodes = this.byHub.get(hubKey);
    if (nodes === undefined) return [...existing];
    const out = [...existing];
    const cutoff = this.now() - this.ttlMs;
    for (const [name, entry] of nodes) {
      if (inCache(name) || entry.at < cutoff) nodes.delete(name);
      else out.push(entry.node as T);
    }
    if (nodes.size === 0) this.byHub.delete(hubKey);
    return out;
  }

  /** The node was deleted (its cache may never have shown it): it is missing again. */
  gone(namespace: string, name: string): void {
    for (const [hubKey, nodes] of this.byHub)
      if (hubKey.startsWith(`${namespace}/`) && nodes.delete(name) && nodes.size === 0)
        this.byHub.delete(hubKey);
  }

  forget(hubKey: string): void {
    this.byHub.delete(hubKey);
  }
}
