// One pooled datasource per hub, kept across syncs: rebuilt when the hub's source changes, closed
// when the hub goes away, with change notifications (PostgreSQL NOTIFY) debounced into a sync.
import type { LynqHub } from '@lynq/api';
import {
  DatasourceError,
  type Datasource,
  type DatasourceLimits,
  type DatasourceRegistry,
  type FetchResult,
  type SecretResolver,
} from '@lynq/datasource';
import type { Logger } from '@lynq/runtime';

interface Entry {
  /** The source, mappings and limits the datasource was built from. */
  key: string;
  datasource: Promise<Datasource>;
  unsubscribe?: () => void;
  debounce?: NodeJS.Timeout;
  /** Outcome of the last fetch, reused between syncs: a failure stays a failure until a re-read. */
  last?: { result: FetchResult } | { error: unknown };
  /** A change notification arrived since the last fetch. */
  changed: boolean;
}

export interface HubSourcesOptions {
  registry: DatasourceRegistry;
  limits: DatasourceLimits;
  /** Reads one key of a Secret in the hub's namespace. */
  secrets: (namespace: string) => SecretResolver;
  /** A change notification for this hub (`namespace/name`) after the debounce. */
  onChange: (hubKey: string) => void;
  logger: Logger;
  debounceMs?: number;
}

const keyOf = (hub: LynqHub) => `${hub.metadata.namespace ?? ''}/${hub.metadata.name ?? ''}`;

export class HubSources {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: HubSourcesOptions) {}

  /**
   * Rows of the hub: a fresh fetch when `fresh` is true, when the source changed, after a change
   * notification or when nothing was read yet; otherwise the last complete fetch. Rejects with a
   * DatasourceError.
   */
  async rows(hub: LynqHub, fresh: boolean, signal: AbortSignal): Promise<FetchResult> {
    const entry = this.entry(hub);
    const last = entry.last;
    if (!fresh && !entry.changed && last !== undefined) {
      if ('error' in last) throw last.error;
      return last.result;
    }
    entry.changed = false;
    try {
      const datasource = await entry.datasource;
      const result = await datasource.fetchRows(signal);
      entry.last = { result };
      return result;
    } catch (error) {
      if (!signal.aborted) entry.last = { error };
      throw error;
    }
  }

  /** What the hub's datasource says about itself (secret-free), when it was built. */
  async describe(hub: LynqHub): Promise<ReturnType<Datasource['describe']> | undefined> {
    const entry = this.entries.get(keyOf(hub));
    return entry ? (await entry.datasource.catch(() => undefined))?.describe() : undefined;
  }

  /** Closes the datasource of a hub that is gone. */
  async forget(hubKey: string): Promise<void> {
    const entry = this.entries.get(hubKey);
    if (entry === undefined) return;
    this.entries.delete(hubKey);
    await this.dispose(entry);
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => this.dispose(e)));
  }

  private entry(hub: LynqHub): Entry {
    const hubKey = keyOf(hub);
    const key = JSON.stringify([
      hub.spec.source,
      hub.spec.valueMappings,
      hub.spec.extraValueMappings ?? {},
    ]);
    const existing = this.entries.get(hubKey);
    if (existing?.key === key) return existing;
    if (existing !== undefined) void this.dispose(existing);
    const namespace = hub.metadata.namespace ?? '';
    const entry: Entry = {
      key,
      changed: false,
      datasource: this.options.registry.create({
        hub: { namespace, name: hub.metadata.name ?? '' },
        source: hub.spec.source,
        valueMappings: hub.spec.valueMappings,
        ...(hub.spec.extraValueMappings ? { extraValueMappings: hub.spec.extraValueMappings } : {}),
        resolveSecret: this.options.secrets(namespace),
        limits: this.options.limits,
      }),
    };
    // A failed build is not cached: the next sync tries again (the Secret may appear).
    entry.datasource.then(
      (ds) => this.watch(hubKey, entry, ds),
      () => {
        if (this.entries.get(hubKey) === entry) this.entries.delete(hubKey);
      },
    );
    this.entries.set(hubKey, entry);
    return entry;
  }

  private watch(hubKey: string, entry: Entry, datasource: Datasource): void {
    if (datasource.watch === undefined || this.entries.get(hubKey) !== entry) return;
    entry.unsubscribe = datasource.watch(() => {
      entry.changed = true;
      clearTimeout(entry.debounce);
      entry.debounce = setTimeout(() => {
        if (this.entries.get(hubKey) === entry) this.options.onChange(hubKey);
      }, this.options.debounceMs ?? 200);
    });
  }

  private async dispose(entry: Entry): Promise<void> {
    clearTimeout(entry.debounce);
    entry.unsubscribe?.();
    try {
      const ds = await entry.datasource;
      await ds.close();
    } catch (err) {
      if (!(err instanceof DatasourceError)) {
        this.options.logger.log('warn', 'closing a datasource failed', { error: String(err) });
      }
    }
  }
}
