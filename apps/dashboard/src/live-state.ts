// The dashboard's picture of the cluster: the Lynq objects and events the informers deliver, their
// summaries, and the stream of changes. Changes are batched (a sync of 2,000 nodes is one delta,
// not 2,000) and numbered; the last deltas are kept so a browser that reconnects with
// Last-Event-ID gets only what it missed, and one that fell further behind gets a snapshot.
import { Kinds, type LynqForm, type LynqHub, type LynqNode } from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';
import {
  formSummary,
  hubSummary,
  idOf,
  nodeSummary,
  orphanSummary,
  overviewOf,
  type KubeEvent,
} from './summaries.js';
import type {
  Collection,
  Delta,
  FormSummary,
  HubSummary,
  NodeSummary,
  OrphanSummary,
  Snapshot,
} from './view-model.js';

export interface LiveStateOptions {
  /** How long changes are collected before one delta goes out. Default 150 ms. */
  batchMs?: number;
  /** Deltas kept for reconnecting browsers. Default 1,000. */
  history?: number;
  /**
   * Summaries (upserts + deletes) kept in those deltas, all together. Default 20,000: with 10,000
   * nodes every delta can carry all of them, and 1,000 such deltas would hold gigabytes.
   */
  historyItems?: number;
  /** Events kept per object (newest). Default 30. */
  eventsPerObject?: number;
}

type Summaries = {
  hubs: HubSummary;
  forms: FormSummary;
  nodes: NodeSummary;
  orphans: OrphanSummary;
};

/** What a subscriber receives: the next delta (already numbered). */
export type DeltaListener = (delta: Delta) => void;

export class LiveState {
  readonly hubs = new Map<string, LynqHub>();
  readonly forms = new Map<string, LynqForm>();
  readonly nodes = new Map<string, LynqNode>();
  /** Events by `Kind/namespace/name` of the object they are about. */
  private readonly events = new Map<string, Map<string, KubeEvent>>();
  private readonly summaries: { [C in Collection]: Map<string, Summaries[C]> } = {
    hubs: new Map(),
    forms: new Map(),
    nodes: new Map(),
    orphans: new Map(),
  };
  /** JSON of each summary, to send only what really changed. */
  private readonly sent = new Map<string, string>();
  private pending: { upserts: Map<string, [Collection, string]>; deletes: Set<string> } = {
    upserts: new Map(),
    deletes: new Set(),
  };
  private seq = 0;
  private readonly history: Delta[] = [];
  /** Summaries and deleted ids held by `history`. */
  private historyCount = 0;
  private readonly listeners = new Set<DeltaListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly batchMs: number;
  private readonly historySize: number;
  private readonly historyItems: number;
  private readonly eventsPerObject: number;
  /** Set by the cluster source once every informer has listed. */
  synced = false;

  constructor(options: LiveStateOptions = {}) {
    this.batchMs = options.batchMs ?? 150;
    this.historySize = options.history ?? 1000;
    this.historyItems = options.historyItems ?? 20_000;
    this.eventsPerObject = options.eventsPerObject ?? 30;
  }

  upsertHub(hub: LynqHub): void {
    const id = idOf(hub);
    this.hubs.set(id, hub);
    this.put('hubs', id, hubSummary(hub));
  }

  deleteHub(hub: LynqHub): void {
    const id = idOf(hub);
    this.hubs.delete(id);
    this.remove('hubs', id);
  }

  upsertForm(form: LynqForm): void {
    const id = idOf(form);
    this.forms.set(id, form);
    this.put('forms', id, formSummary(form));
  }

  deleteForm(form: LynqForm): void {
    const id = idOf(form);
    this.forms.delete(id);
    this.remove('forms', id);
  }

  upsertNode(node: LynqNode): void {
    const id = idOf(node);
    this.nodes.set(id, node);
    this.put('nodes', id, nodeSummary(node, this.eventsOf(Kinds.Node, id)));
  }

  deleteNode(node: LynqNode): void {
    const id = idOf(node);
    this.nodes.delete(id);
    this.events.delete(`${Kinds.Node}/${id}`);
    this.remove('nodes', id);
  }

  upsertOrphan(obj: KubeObject, kind: string, apiVersion: string): void {
    const summary = orphanSummary(obj, kind, apiVersion);
    this.put('orphans', summary.id, summary);
  }

  deleteOrphan(obj: KubeObject, kind: string, apiVersion: string): void {
    this.remove('orphans', orphanSummary(obj, kind, apiVersion).id);
  }

  upsertEvent(event: KubeEvent): void {
    const key = eventSubject(event);
    if (key === undefined) return;
    let byName = this.events.get(key);
    if (byName === undefined) this.events.set(key, (byName = new Map()));
    byName.set(event.metadata.name ?? '', event);
    if (byName.size > this.eventsPerObject) {
      // Drop the oldest: a node that keeps failing must not grow without bound.
      const oldest = [...byName.values()].sort((a, b) =>
        (a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? -1 : 1,
      )[0];
      if (oldest !== undefined) byName.delete(oldest.metadata.name ?? '');
    }
    this.eventChanged(event);
  }

  deleteEvent(event: KubeEvent): void {
    const key = eventSubject(event);
    if (key === undefined) return;
    this.events.get(key)?.delete(event.metadata.name ?? '');
    this.eventChanged(event);
  }

  /** Events about a Lynq object (`kind` LynqHub/LynqForm/LynqNode, `id` namespace/name). */
  eventsOf(kind: string, id: string): KubeEvent[] {
    return [...(this.events.get(`${kind}/${id}`)?.values() ?? [])];
  }

  private eventChanged(event: KubeEvent): void {
    // A node's summary carries its latest warning: recompute it.
    if (event.involvedObject?.kind !== Kinds.Node) return;
    const id = `${event.involvedObject.namespace ?? ''}/${event.involvedObject.name ?? ''}`;
    const node = this.nodes.get(id);
    if (node !== undefined) this.put('nodes', id, nodeSummary(node, this.eventsOf(Kinds.Node, id)));
  }

  summary<C extends Collection>(collection: C, id: string): Summaries[C] | undefined {
    return this.summaries[collection].get(id) as Summaries[C] | undefined;
  }

  list<C extends Collection>(collection: C): Summaries[C][] {
    return [...this.summaries[collection].values()] as Summaries[C][];
  }

  snapshot(): Snapshot {
    return {
      seq: this.seq,
      synced: this.synced,
      hubs: this.list('hubs'),
      forms: this.list('forms'),
      nodes: this.list('nodes'),
      orphans: this.list('orphans'),
      overview: this.overview(),
    };
  }

  overview() {
    return overviewOf(
      this.summaries.hubs.values(),
      this.summaries.forms.values(),
      this.summaries.nodes.values(),
      this.summaries.orphans.size,
    );
  }

  /** What the replay buffer holds: deltas and the summaries in them (bounded by both). */
  get historyHeld(): { deltas: number; items: number } {
    return { deltas: this.history.length, items: this.historyCount };
  }

  /** The id of the last delta sent. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * The deltas after `seq`, or undefined when they are no longer all kept (or `seq` is from
   * another server run): the caller then sends a snapshot.
   */
  deltasSince(seq: number): Delta[] | undefined {
    if (!Number.isInteger(seq) || seq > this.seq || seq < 0) return undefined;
    if (seq === this.seq) return [];
    const first = this.history[0];
    if (first === undefined || first.seq > seq + 1) return undefined;
    return this.history.filter((d) => d.seq > seq);
  }

  subscribe(listener: DeltaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what is pending now (tests and shutdown; normally a timer does it). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { upserts, deletes } = this.pending;
    if (upserts.size === 0 && deletes.size === 0) return;
    this.pending = { upserts: new Map(), deletes: new Set() };
    const delta: Delta = {
      seq: ++this.seq,
      upserts: { hubs: [], forms: [], nodes: [], orphans: [] },
      deletes: { hubs: [], forms: [], nodes: [], orphans: [] },
      overview: this.overview(),
    };
    for (const [collection, id] of upserts.values()) {
      const s = this.summaries[collection].get(id);
      // Typed per collection by construction: `put` stored it under this collection.
      if (s !== undefined) (delta.upserts[collection] as Summaries[Collection][]).push(s);
    }
    for (const key of deletes) {
      const slash = key.indexOf(':');
      delta.deletes[key.slice(0, slash) as Collection].push(key.slice(slash + 1));
    }
    this.history.push(delta);
    this.historyCount += itemsOf(delta);
    // The newest delta always stays (a browser one behind gets it); older ones go past either bound.
    while (
      this.history.length > 1 &&
      (this.history.length > this.historySize || this.historyCount > this.historyItems)
    )
      this.historyCount -= itemsOf(this.history.shift()!);
    for (const l of this.listeners) l(delta);
  }

  /** Stops the batch timer. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private put<C extends Collection>(collection: C, id: string, summary: Summaries[C]): void {
    const key = `${collection}:${id}`;
    const json = JSON.stringify(summary);
    this.summaries[collection].set(id, summary);
    if (this.sent.get(key) === json) return;
    this.sent.set(key, json);
    this.pending.deletes.delete(key);
    this.pending.upserts.set(key, [collection, id]);
    this.schedule();
  }

  private remove(collection: Collection, id: string): void {
    const key = `${collection}:${id}`;
    if (!this.summaries[collection].delete(id)) return;
    this.sent.delete(key);
    this.pending.upserts.delete(key);
    this.pending.deletes.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), this.batchMs);
    // Node's timers can be unref'd (a pending batch does not keep the process alive); the UI's
    // tests type-check this file against the DOM's setTimeout, which returns a number.
    (this.timer as { unref?: () => void }).unref?.();
  }
}

function itemsOf(delta: Delta): number {
  let n = 0;
  for (const list of Object.values(delta.upserts)) n += list.length;
  for (const list of Object.values(delta.deletes)) n += list.length;
  return n;
}

function eventSubject(event: KubeEvent): string | undefined {
  const o = event.involvedObject;
  if (o?.kind === undefined || o.name === undefined) return undefined;
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}
