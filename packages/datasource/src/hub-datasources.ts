// One pooled datasource per hub, kept across syncs: built from the registry on first use,
// rebuilt when the hub's source or mappings change, closed when the hub goes away. Change
// notifications (PostgreSQL NOTIFY) are debounced into one callback per burst.
import type { HubSource, ValueMappings } from '@lynq/api';
import type {
  Datasource,
  DatasourceDescription,
  DatasourceLimits,
  FetchResult,
  SecretResolver,
} from './contract.js';
import type { DatasourceRegistry } from './registry.js';

/** What a datasource is built from: a LynqHub's identity and spec, defaults applied. */
export interface HubSpecRef {
  metadata: { namespace?: string | undefined; name?: string | undefined };
  spec: {
    source: HubSource;
    valueMappings: ValueMappings;
    extraValueMappings?: Record<string, string> | undefined;
  };
}

export interface HubDatasourcesOptions {
  registry: DatasourceRegistry;
  limits?: DatasourceLimits;
  /** Reads one key of a Secret in the hub's namespace (never logged). */
  secrets: (namespace: string) => SecretResolver;
  /** A change notification for the hub `namespace/name`, after the debounce. */
  onChange?: (hubKey: string) => void;
  /** Closing a replaced or forgotten datasource failed (nothing else to do about it). */
  onCloseError?: (err: unknown) => void;
  /** Quiet time that ends a burst of notifications. Default 200 ms. */
  debounceMs?: number;
}

interface Entry {
  /** The source, mappings and limits the datasource was built from. */
  key: string;
  datasource: Promise<Datasource>;
  unsubscribe?: () => void;
  debounce?: NodeJS.Timeout;
  /** The last fetch's outcome, reused between syncs: a failure stays one until a re-read. */
  last?: { result: FetchResult } | { error: unknown };
  /** A notification arrived since the last fetch. */
  changed: boolean;
}

/** `namespace/name` of a hub, the key of everything here. */
export const hubKeyOf = (hub: HubSpecRef): string =>
  `${hub.metadata.namespace ?? ''}/${hub.metadata.name ?? ''}`;

export class HubDatasources {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: HubDatasourcesOptions) {}

  /**
   * The hub's rows: read now when `fresh`, when the source changed, after a notification or when
   * nothing was read yet; otherwise the last outcome again (rows, or the same error). Rejects
   * with a DatasourceError (or the registry's error when the datasource cannot be built).
   */
  async rows(hub: HubSpecRef, fresh: boolean, signal: AbortSignal): Promise<FetchResult> {
    const entry = this.entry(hub);
    const last = entry.last;
    if (!fresh && !entry.changed && last !== undefined) {
      if ('error' in last) throw last.error;
      return last.result;
    }
    entry.changed = false;
    try {
      const result = await (await entry.datasource).fetchRows(signal);
      entry.last = { result };
      return result;
    } catch (error) {
      if (!signal.aborted) entry.last = { error };
      throw error;
    }
  }

  /** What the hub's datasource says about itself (no secrets), once it was built. */
  async describe(hubKey: string): Promise<DatasourceDescription | undefined> {
    const entry = this.entries.get(hubKey);
    if (entry === undefined) return undefined;
    return (await entry.datasource.catch(() => undefined))?.describe();
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

  private entry(hub: HubSpecRef): Entry {
    const hubKey = hubKeyOf(hub);
    const { source, valueMappings, extraValueMappings } = hub.spec;
    const key = JSON.stringify([source, valueMappings, extraValueMappings ?? {}]);
    const existing = this.entries.get(hubKey);
    if (existing?.key === key) return existing;
    if (existing !== undefined) void this.dispose(existing);
    const namespace = hub.metadata.namespace ?? '';
    const entry: Entry = {
      key,
      changed: false,
      datasource: this.options.registry.create({
        hub: { namespace, name: hub.metadata.name ?? '' },
        source,
        valueMappings,
        ...(extraValueMappings ? { extraValueMappings } : {}),
        resolveSecret: this.options.secrets(namespace),
        ...(this.options.limits ? { limits: this.options.limits } : {}),
      }),
    };
    // A build that failed is not kept: the next sync tries again (the Secret may appear).
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
    const onChange = this.options.onChange;
    if (!datasource.watch || !onChange || this.entries.get(hubKey) !== entry) return;
    entry.unsubscribe = datasource.watch(() => {
      entry.changed = true;
      clearTimeout(entry.debounce);
      entry.debounce = setTimeout(() => {
        if (this.entries.get(hubKey) === entry) onChange(hubKey);
      }, this.options.debounceMs ?? 200);
    });
  }

  private async dispose(entry: Entry): Promise<void> {
    clearTimeout(entry.debounce);
    entry.unsubscribe?.();
    let datasource: Datasource;
    try {
      datasource = await entry.datasource;
    } catch {
      return; // never built: nothing to close (the build error was reported by rows())
    }
    await datasource.close().catch((err: unknown) => this.options.onCloseError?.(err));
  }
}
