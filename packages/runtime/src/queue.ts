import { realClock, type Clock } from './clock.js';
import { noopQueueMetrics, type QueueMetrics } from './queue-metrics.js';

export interface WorkQueueOptions {
  /** Used as the `name` label of the workqueue_* metrics. */
  name?: string;
  clock?: Clock;
  metrics?: QueueMetrics;
}

interface Entry {
  key: string;
  /** The key's ticket when it was queued here: a later ticket makes this entry stale. */
  ticket: number;
}

/** A FIFO: an array with a moving head, O(1) push and shift, compacted as it is consumed. */
class Fifo {
  private items: Entry[] = [];
  private head = 0;

  push(entry: Entry): void {
    this.items.push(entry);
  }

  shift(): Entry | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head] as Entry;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}

/** `add` options. */
export interface AddOptions {
  /**
   * Goes before every key added without it: work that finishes what is under way (an object a
   * reconcile waited for became ready) is not held up behind a backlog of new work.
   */
  urgent?: boolean;
}

/**
 * A FIFO queue of string keys with client-go's guarantees:
 * - a key waits in the queue at most once, however often it is added (dedup);
 * - a key handed to a worker is not handed to another one until `done(key)`;
 * - a key added while a worker holds it is queued again when that worker calls `done(key)`.
 *
 * Urgent keys (`add(key, { urgent: true })`) form a second FIFO that is served first; a key
 * waiting in the normal one moves up when added as urgent.
 *
 * After `shutDown()` adds are ignored, `get()` still hands out what is queued and then resolves
 * `undefined`.
 */
export class WorkQueue {
  readonly name: string;
  protected readonly clock: Clock;
  protected readonly metrics: QueueMetrics;

  private readonly urgent = new Fifo();
  private readonly normal = new Fifo();
  /**
   * Keys waiting in a FIFO, with the ticket of their live entry. A key moved up to the urgent
   * FIFO leaves a stale entry in the normal one, skipped when reached.
   */
  private readonly tickets = new Map<string, number>();
  private lastTicket = 0;
  /** Queued keys whose live entry is in the urgent FIFO. */
  private readonly queuedUrgent = new Set<string>();
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<string>();
  /** Keys added as urgent while being processed: queued as urgent by done(). */
  private readonly urgentAgain = new Set<string>();
  private readonly processing = new Set<string>();
  /**
   * When a key entered the queue, or, once handed out, when its processing started. A key is
   * never queued and in flight at once (a re-add waits in `dirty`), so one map serves both.
   */
  private readonly since = new Map<string, number>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private stopping = false;

  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? '';
    this.clock = options.clock ?? realClock;
    this.metrics = options.metrics ?? noopQueueMetrics;
  }

  /** Marks `key` as needing processing. */
  add(key: string, options: AddOptions = {}): void {
    if (this.stopping) return;
    const urgent = options.urgent === true;
    if (this.dirty.has(key)) {
      if (!urgent) return;
      if (this.processing.has(key)) this.urgentAgain.add(key);
      else if (!this.queuedUrgent.has(key)) this.push(key, true);
      return;
    }
    this.dirty.add(key);
    this.metrics.added();
    if (this.processing.has(key)) {
      if (urgent) this.urgentAgain.add(key);
      return; // queued again by done()
    }
    this.enqueue(key, urgent);
  }

  /**
   * Waits for the next key and marks it as being processed; resolves `undefined` once the queue is
   * shut down and empty. Every key received must be passed to `done()`.
   */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.stopping) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A non-waiting `get()`: the next key, or undefined when none is queued. */
  tryGet(): string | undefined {
    return this.take();
  }

  /** Ends processing of `key`; if it was added meanwhile it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.since.get(key);
    this.since.delete(key);
    if (started !== undefined) this.metrics.worked(this.clock.now() - started);
    const urgent = this.urgentAgain.delete(key);
    if (this.dirty.has(key)) this.enqueue(key, urgent);
    if (this.processing.size === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Keys waiting to be handed out. */
  len(): number {
    return this.tickets.size;
  }

  /** Keys handed out and not yet done. */
  inFlight(): number {
    return this.processing.size;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Stops accepting keys; waiting `get()` calls resolve undefined once the queue is empty. */
  shutDown(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onShutDown();
    if (this.len() === 0) {
      for (const w of this.waiters.splice(0)) w(undefined);
    }
  }

  /** `shutDown()`, then waits until every key handed out has been passed to `done()`. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Hook for layers that hold keys outside the FIFO (timers of the delaying queue). */
  protected onShutDown(): void {}

  private enqueue(key: string, urgent: boolean): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      // Hand over directly: the key never sits in the FIFO.
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics.queued(0);
      this.since.set(key, this.clock.now());
      waiter(key);
      return;
    }
    this.push(key, urgent);
    this.since.set(key, this.clock.now());
    this.metrics.depth(this.len());
  }

  private push(key: string, urgent: boolean): void {
    const ticket = ++this.lastTicket;
    this.tickets.set(key, ticket);
    if (urgent) this.queuedUrgent.add(key);
    (urgent ? this.urgent : this.normal).push({ key, ticket });
  }

  /** The next key of `fifo` whose entry is live. */
  private next(fifo: Fifo): string | undefined {
    for (let e = fifo.shift(); e !== undefined; e = fifo.shift())
      if (this.tickets.get(e.key) === e.ticket) return e.key;
    return undefined;
  }

  private take(): string | undefined {
    const key = this.next(this.urgent) ?? this.next(this.normal);
    if (key === undefined) {
      if (this.stopping && this.waiters.length > 0) {
        for (const w of this.waiters.splice(0)) w(undefined);
      }
      return undefined;
    }
    this.tickets.delete(key);
    this.queuedUrgent.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    const now = this.clock.now();
    const queued = this.since.get(key);
    if (queued !== undefined) this.metrics.queued(now - queued);
    this.since.set(key, now);
    this.metrics.depth(this.len());
    return key;
  }
}
