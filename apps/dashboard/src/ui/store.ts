// The browser's copy of the server's summaries: a snapshot, then deltas from the event stream.
// EventSource reconnects by itself and sends Last-Event-ID; the server answers with the deltas
// missed or a fresh snapshot.
import type {
  Collection,
  Delta,
  FormSummary,
  HubSummary,
  NodeSummary,
  OrphanSummary,
  Overview,
  Snapshot,
} from '../view-model.js';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface StoreState {
  hubs: Map<string, HubSummary>;
  forms: Map<string, FormSummary>;
  nodes: Map<string, NodeSummary>;
  orphans: Map<string, OrphanSummary>;
  overview: Overview | undefined;
  synced: boolean;
  seq: number;
  /** Bumped on every change, for components that cache derived data. */
  version: number;
  connection: Connection;
  /** When the first snapshot arrived (ms since navigation start): the "open" figure. */
  firstSnapshotAt?: number;
}

type Listener = () => void;

export class Store {
  state: StoreState = {
    hubs: new Map(),
    forms: new Map(),
    nodes: new Map(),
    orphans: new Map(),
    overview: undefined,
    synced: false,
    seq: 0,
    version: 0,
    connection: 'connecting',
  };
  private readonly listeners = new Set<Listener>();
  private source: EventSource | undefined;
  private lastEventId = '';
  private retry: number | undefined;
  private notifyScheduled = false;

  connect(url = '/api/v1/stream'): void {
    this.source?.close();
    window.clearTimeout(this.retry);
    // A stream the browser gave up on (an HTTP error ends EventSource's own retries) is opened
    // again here, resuming from the last event id through the query (a new EventSource cannot set
    // the Last-Event-ID header).
    const resume =
      this.lastEventId !== '' ? `?lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const source = new EventSource(url + resume);
    this.source = source;
    const remember = (e: Event) => {
      const id = (e as MessageEvent<string>).lastEventId;
      if (id !== '') this.lastEventId = id;
    };
    source.addEventListener('snapshot', (e) => {
      remember(e);
      this.reset(JSON.parse((e as MessageEvent<string>).data) as Snapshot);
    });
    source.addEventListener('delta', (e) => {
      remember(e);
      this.apply(JSON.parse((e as MessageEvent<string>).data) as Delta);
    });
    source.addEventListener('open', () => this.setConnection('live'));
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return this.setConnection('reconnecting');
      this.setConnection('reconnecting');
      if (this.source === source) this.retry = window.setTimeout(() => this.connect(url), 2000);
    });
  }

  close(): void {
    window.clearTimeout(this.retry);
    this.source?.close();
    this.source = undefined;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  reset(s: Snapshot): void {
    const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((i) => [i.id, i]));
    this.state = {
      ...this.state,
      hubs: byId(s.hubs),
      forms: byId(s.forms),
      nodes: byId(s.nodes),
      orphans: byId(s.orphans),
      overview: s.overview,
      synced: s.synced,
      seq: s.seq,
      version: this.state.version + 1,
      connection: 'live',
    };
    if (this.state.firstSnapshotAt === undefined) this.state.firstSnapshotAt = performance.now();
    this.notify();
  }

  apply(d: Delta): void {
    const next = { ...this.state };
    for (const c of ['hubs', 'forms', 'nodes', 'orphans'] as Collection[]) {
      const upserts = d.upserts[c] as Array<{ id: string }>;
      const deletes = d.deletes[c];
      if (upserts.length === 0 && deletes.length === 0) continue;
      // A new Map per changed collection: components compare by identity.
      const map = new Map(this.state[c] as Map<string, { id: string }>);
      for (const u of upserts) map.set(u.id, u);
      for (const id of deletes) map.delete(id);
      (next as Record<Collection, unknown>)[c] = map;
    }
    next.overview = d.overview;
    next.seq = d.seq;
    next.synced = true;
    next.version = this.state.version + 1;
    next.connection = 'live';
    this.state = next;
    this.notify();
  }

  private setConnection(c: Connection): void {
    if (this.state.connection === c) return;
    this.state = { ...this.state, connection: c };
    this.notify();
  }

  /** Many deltas in one frame render once. */
  private notify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const l of this.listeners) l();
    });
  }
}
