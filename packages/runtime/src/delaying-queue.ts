import type { Timer } from './clock.js';
import { WorkQueue, type WorkQueueOptions } from './queue.js';

interface Waiting {
  key: string;
  readyAt: number;
  index: number;
}

/**
 * A WorkQueue that can also add a key later (`addAfter`). A key waiting for several delays is
 * added once, at the earliest of them. One timer is armed for the earliest ready time.
 */
export class DelayingQueue extends WorkQueue {
  // Binary min-heap on readyAt, with each entry's index so an entry can move up in place.
  private readonly heap: Waiting[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private timer: Timer | undefined;
  private timerAt = Infinity;

  constructor(options: WorkQueueOptions = {}) {
    super(options);
  }

  /** Adds `key` after `delayMs` (immediately when the delay is not positive). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing !== undefined) {
      if (readyAt >= existing.readyAt) return;
      existing.readyAt = readyAt;
      this.siftUp(existing.index);
    } else {
      const entry: Waiting = { key, readyAt, index: this.heap.length };
      this.heap.push(entry);
      this.waiting.set(key, entry);
      this.siftUp(entry.index);
    }
    this.arm();
  }

  /** Keys waiting for their delay to pass. */
  waitingLen(): number {
    return this.heap.length;
  }

  protected override onShutDown(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.length = 0;
    this.waiting.clear();
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) return;
    if (this.timer !== undefined && this.timerAt <= top.readyAt) return;
    this.timer?.cancel();
    this.timerAt = top.readyAt;
    this.timer = this.clock.setTimer(top.readyAt - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.readyAt > now) break;
      this.pop();
      this.waiting.delete(top.key);
      this.add(top.key);
    }
    this.arm();
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    last.index = 0;
    this.siftDown(0);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i] as Waiting;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as Waiting;
      if (parent.readyAt <= entry.readyAt) break;
      heap[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i] as Waiting;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && (heap[right] as Waiting).readyAt < (heap[left] as Waiting).readyAt)
        child = right;
      const c = heap[child] as Waiting;
      if (c.readyAt >= entry.readyAt) break;
      heap[i] = c;
      c.index = i;
      i = child;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
