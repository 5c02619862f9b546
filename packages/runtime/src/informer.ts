import type { IncomingMessage } from 'node:http';
import { Backoff, type BackoffOptions } from './backoff.js';
import { realClock, sleep, type Clock } from './clock.js';
import {
  InvalidOptionError,
  KubeApiError,
  RuntimeError,
  WatchDecodeError,
  WatchExpiredError,
  errorMessage,
} from './errors.js';
import { formatLabelSelector, type LabelSelector } from './label-selector.js';
import { jsonLogger, type Logger } from './logger.js';
import { objectKey, resourcePath, type KubeObject, type ResourceType } from './resource.js';
import type { RestClient } from './rest-client.js';
import { Store, type IndexFunc, type Lister } from './store.js';
import { LineDecoder } from './watch-decoder.js';

/** Callbacks of an informer. They run synchronously in event order; keep them short (enqueue). */
export interface EventHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** For deletions seen only through a relist, `obj` is the last state the cache knew. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  client: RestClient;
  type: ResourceType;
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  labelSelector?: LabelSelector | string;
  fieldSelector?: string;
  /**
   * Cache only metadata (PartialObjectMetadata): for kinds where names, labels and owners suffice.
   * Saves memory and bandwidth, e.g. for Secrets or ConfigMaps with big bodies.
   */
  metadataOnly?: boolean;
  /**
   * Applied to every object before it is cached and handed to handlers, e.g. `stripManagedFields`
   * to save memory. Must return the object to keep (it may modify and return its argument).
   */
  transform?: (obj: T) => T;
  /** Items per list request (default 500). */
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Delay between restarts after errors. */
  backoff?: BackoffOptions;
  /** Watch requests last a random time within [min, max] seconds (default 300–600). */
  watchTimeoutSeconds?: { min: number; max: number };
  /**
   * Every this many milliseconds, hand every cached object to `onUpdate(obj, obj)` again, so that
   * controllers re-check what no watch tells them about (client-go's resync). Off by default.
   * `resourceVersionChanged()` and `generationChanged()` predicates filter these updates out.
   */
  resyncPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Counters of what the informer went through; useful for tests and diagnostics. */
export interface InformerStats {
  lists: number;
  /** Lists after the first one (after 410 Gone or a failure). */
  relists: number;
  watches: number;
  /** 410 Gone / "too old resource version" answers. */
  expired: number;
  errors: number;
  events: number;
  /** Periodic resyncs delivered (see `resyncPeriodMs`). */
  resyncs: number;
  lastError?: string;
}

const PARTIAL_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
/** A watch that lived this long was healthy: the backoff starts over. */
const HEALTHY_WATCH_MS = 10_000;

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

/**
 * Keeps a local cache of one kind in sync with the API server through list + watch, and tells
 * handlers about every change. It never stops on its own: any failure (network, 5xx, a watch
 * stream that ends, a decode error) restarts it after a jittered backoff, resuming the watch
 * from the last resourceVersion seen; when that version is gone (410) it lists again and
 * reconciles the cache with the list, reporting the differences as add/update/delete.
 */
export class Informer<T extends KubeObject = KubeObject> {
  /** The cache, read-only: only the informer writes to it. */
  readonly store: Lister<T>;
  private readonly cache: Store<T>;
  readonly type: ResourceType;
  readonly stats: InformerStats = {
    lists: 0,
    relists: 0,
    watches: 0,
    expired: 0,
    errors: 0,
    events: 0,
    resyncs: 0,
  };

  private readonly client: RestClient;
  private readonly path: string;
  private readonly query: Record<string, string | undefined>;
  private readonly metadataOnly: boolean;
  private readonly pageSize: number;
  private readonly transform: ((obj: T) => T) | undefined;
  private readonly backoff: Backoff;
  private readonly watchTimeout: { min: number; max: number };
  private readonly resyncPeriodMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly handlers: EventHandler<T>[] = [];
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.client = options.client;
    this.type = options.type;
    this.path = resourcePath(options.type, options.namespace);
    const selector =
      typeof options.labelSelector === 'object'
        ? formatLabelSelector(options.labelSelector)
        : options.labelSelector;
    this.query = {
      labelSelector: selector || undefined,
      fieldSelector: options.fieldSelector || undefined,
    };
    this.metadataOnly = options.metadataOnly ?? false;
    this.pageSize = options.pageSize ?? 500;
    this.transform = options.transform;
    this.backoff = new Backoff(options.backoff);
    this.watchTimeout = options.watchTimeoutSeconds ?? { min: 300, max: 600 };
    const resync = options.resyncPeriodMs ?? 0;
    if (!Number.isFinite(resync) || resync < 0) {
      throw new InvalidOptionError(
        'resyncPeriodMs',
        `must be a non-negative number of milliseconds, got ${resync}`,
      );
    }
    this.resyncPeriodMs = resync;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? jsonLogger();
    this.cache = new Store<T>(options.indexers);
    this.store = this.cache;
  }

  /** Registers handlers; if the cache already holds objects, the handler gets an add for each. */
  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (handler.onAdd !== undefined) {
      for (const obj of this.store.list()) this.call(() => handler.onAdd?.(obj));
    }
  }

  /** True once the first complete list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache is at (from the last list, event or bookmark). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves once synced; rejects when the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Starts listing and watching in the background (idempotent). */
  start(): void {
    if (this.running !== undefined) return;
    const abort = new AbortController();
    this.abort = abort;
    const loops = [this.run(abort.signal)];
    if (this.resyncPeriodMs > 0) loops.push(this.resync(abort.signal));
    this.running = Promise.all(loops).then(() => undefined);
  }

  /** Stops watching and waits until the loop has ended. The cache keeps its content. */
  async stop(): Promise<void> {
    this.abort?.abort(new RuntimeError('STOPPED', `informer for ${this.path} stopped`));
    await this.running;
    this.running = undefined;
    this.abort = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
          this.backoff.reset();
        }
        const started = this.clock.now();
        const received = await this.watch(signal);
        if (signal.aborted) break;
        // The server ends every watch after timeoutSeconds; a watch that lived long or carried
        // events was healthy, so it is resumed at once. A stream that ends right away is a
        // symptom (API server going down, proxy cutting) and waits like any other failure.
        if (received > 0 || this.clock.now() - started >= HEALTHY_WATCH_MS) {
          this.backoff.reset();
          continue;
        }
        this.logger.log('info', 'watch ended early, restarting', { resource: this.path });
        await sleep(this.clock, this.backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        // A 410 on a watch means: list again, now. A list that still gets 410 (after its own
        // unpaginated fallback) waits for the usual backoff, so a broken server is not hammered.
        if (isExpired(err) && !needList) {
          this.stats.expired++;
          needList = true;
          this.logger.log('info', 'resourceVersion expired, relisting', {
            resource: this.path,
            resourceVersion: this.resourceVersion,
          });
          continue;
        }
        this.stats.errors++;
        this.stats.lastError = errorMessage(err);
        const delayMs = this.backoff.next();
        this.logger.log('warn', 'list/watch failed, restarting', {
          resource: this.path,
          error: this.stats.lastError,
          retryInMs: Math.round(delayMs),
          relist: needList,
        });
        try {
          await sleep(this.clock, delayMs, signal);
        } catch {
          break;
        }
      }
    }
  }

  private async resync(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await sleep(this.clock, this.resyncPeriodMs, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      // Before the first list there is nothing to resync; the list itself reports every object.
      if (!this.synced) continue;
      this.stats.resyncs++;
      for (const obj of this.store.list()) this.emit((h) => h.onUpdate?.(obj, obj));
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    let listed: { items: Map<string, T>; resourceVersion: string };
    try {
      listed = await this.listPages(signal, this.pageSize);
    } catch (err) {
      // The snapshot behind a continue token was compacted while paging (a list slower than
      // the compaction interval would never finish): fall back to one unpaginated list.
      if (!(err instanceof KubeApiError && err.status === 410)) throw err;
      this.logger.log('info', 'paginated list expired, listing in one request', {
        resource: this.path,
      });
      listed = await this.listPages(signal, undefined);
    }
    if (this.stats.lists > 0) this.stats.relists++;
    this.stats.lists++;
    this.replace(listed.items, listed.resourceVersion);
  }

  private async listPages(
    signal: AbortSignal,
    limit: number | undefined,
  ): Promise<{ items: Map<string, T>; resourceVersion: string }> {
    const items = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.request<ListBody>({
        path: this.path,
        query: { ...this.query, limit, continue: continueToken },
        headers: this.metadataOnly ? { Accept: PARTIAL_LIST_ACCEPT } : {},
        signal,
      });
      for (const item of page.items ?? []) {
        this.fillTypeMeta(item);
        const obj = this.transform !== undefined ? this.transform(item as T) : (item as T);
        items.set(objectKey(obj), obj);
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  /** Makes the cache equal to a fresh list and reports the differences. */
  private replace(items: Map<string, T>, resourceVersion: string): void {
    for (const key of this.store.keys()) {
      if (items.has(key)) continue;
      const old = this.cache.delete(key);
      if (old !== undefined) this.emit((h) => h.onDelete?.(old));
    }
    for (const obj of items.values()) {
      const old = this.cache.upsert(obj);
      if (old === undefined) this.emit((h) => h.onAdd?.(obj));
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.emit((h) => h.onUpdate?.(old, obj));
      }
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Watches from the current resourceVersion until the stream ends; returns the events seen. */
  private async watch(signal: AbortSignal): Promise<number> {
    const { min, max } = this.watchTimeout;
    const timeoutSeconds = Math.round(min + Math.random() * (max - min));
    this.stats.watches++;
    const res: IncomingMessage = await this.client.stream({
      path: this.path,
      query: {
        ...this.query,
        watch: 'true',
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds,
      },
      headers: this.metadataOnly ? { Accept: PARTIAL_ACCEPT } : {},
      signal,
      // Silence longer than the server's own deadline means the connection is dead.
      timeoutMs: (timeoutSeconds + 30) * 1000,
    });
    const decoder = new LineDecoder();
    let received = 0;
    try {
      // for-await pulls the next chunk only after this one is handled: backpressure for free.
      for await (const chunk of res) {
        for (const line of decoder.push(chunk as Buffer)) {
          this.handleEvent(line);
          received++;
        }
      }
      for (const line of decoder.end()) {
        this.handleEvent(line);
        received++;
      }
    } finally {
      res.destroy();
    }
    return received;
  }

  private handleEvent(line: string): void {
    let event: WatchEvent;
    try {
      event = JSON.parse(line) as WatchEvent;
    } catch (err) {
      throw new WatchDecodeError(this.path, `invalid JSON: ${errorMessage(err)}`);
    }
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.object !== 'object' ||
      event.object === null
    ) {
      throw new WatchDecodeError(this.path, 'event without object');
    }
    this.stats.events++;
    if (event.type === 'ERROR') throw this.statusError(event.object);
    const rv = (event.object as unknown as KubeObject).metadata?.resourceVersion;
    if (event.type !== 'BOOKMARK') this.fillTypeMeta(event.object as unknown as KubeObject);
    const raw = event.object as unknown as T;
    const obj =
      this.transform !== undefined && event.type !== 'BOOKMARK' ? this.transform(raw) : raw;
    switch (event.type) {
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.cache.upsert(obj);
        if (old === undefined) this.emit((h) => h.onAdd?.(obj));
        else this.emit((h) => h.onUpdate?.(old, obj));
        break;
      }
      case 'DELETED': {
        this.cache.delete(objectKey(obj));
        this.emit((h) => h.onDelete?.(obj));
        break;
      }
      default:
        throw new WatchDecodeError(this.path, `unknown event type ${String(event.type)}`);
    }
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
  }

  private statusError(status: Record<string, unknown>): RuntimeError {
    const code = typeof status['code'] === 'number' ? status['code'] : 0;
    const reason = typeof status['reason'] === 'string' ? status['reason'] : undefined;
    const message =
      typeof status['message'] === 'string' ? status['message'] : JSON.stringify(status);
    if (
      code === 410 ||
      reason === 'Expired' ||
      reason === 'Gone' ||
      /too old resource version/i.test(message)
    ) {
      return new WatchExpiredError(this.path, this.resourceVersion, message);
    }
    return new KubeApiError('WATCH', this.path, code, reason, message);
  }

  private fillTypeMeta(obj: KubeObject): void {
    if (this.metadataOnly) {
      obj.apiVersion ??= 'meta.k8s.io/v1';
      obj.kind ??= 'PartialObjectMetadata';
    } else {
      obj.apiVersion ??= this.type.apiVersion;
      obj.kind ??= this.type.kind;
    }
  }

  private emit(fn: (h: EventHandler<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A faulty handler must not stop the informer for everyone else.
      this.logger.log('error', 'event handler failed', {
        resource: this.path,
        error: errorMessage(err),
      });
    }
  }
}

function isExpired(err: unknown): boolean {
  return err instanceof WatchExpiredError || (err instanceof KubeApiError && err.status === 410);
}

/** A `transform` that drops metadata.managedFields, usually the biggest part of a cached object. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata !== undefined && 'managedFields' in obj.metadata)
    delete obj.metadata['managedFields'];
  return obj;
}
