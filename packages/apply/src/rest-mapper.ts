import { SharedFill, throwIfAborted } from './abort.js';
import { ApiError, UnknownKindError } from './errors.js';
import type { KubeClient } from './kube-client.js';
import type { ObjectRef } from './object-ref.js';
import { groupVersionPath, parseApiVersion, type ResourceMapping } from './resource-path.js';

export interface RestMapperOptions {
  /**
   * A group version is re-read from discovery when a kind is missing from it, at most this often
   * (a CRD installed later becomes visible; a misspelled kind does not hammer discovery). Default 1 s.
   */
  minRefreshIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface GroupVersionEntry {
  loadedAt: number;
  /** undefined when the server does not serve the group version. */
  kinds: Map<string, ResourceMapping> | undefined;
}

interface ApiResourceList {
  resources?: { name?: string; kind?: string; namespaced?: boolean }[];
}

/**
 * apiVersion + kind → REST resource and scope, from the API server's discovery documents. One
 * discovery request per group version, cached; refreshed when a kind is unknown.
 */
export class RestMapper {
  private readonly cache = new Map<string, GroupVersionEntry>();
  private readonly loading = new Map<string, SharedFill<GroupVersionEntry>>();
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: KubeClient,
    options: RestMapperOptions = {},
  ) {
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves a kind; throws UnknownKindError when the server does not serve it. `signal` stops
   * this caller's wait (AbortedError); a discovery read other callers share runs on for them.
   */
  async resolve(
    apiVersion: string,
    kind: string,
    object?: ObjectRef,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<ResourceMapping> {
    const { signal } = options;
    throwIfAborted(signal, { object });
    const gv = parseApiVersion(apiVersion);
    if (gv === undefined) {
      throw new UnknownKindError(
        apiVersion,
        kind,
        'apiVersion must be "<version>" or "<group>/<version>"',
        object,
      );
    }
    let entry = this.cache.get(apiVersion) ?? (await this.load(apiVersion, signal, object));
    let mapping = entry.kinds?.get(kind);
    if (mapping === undefined && this.now() - entry.loadedAt >= this.minRefreshIntervalMs) {
      entry = await this.load(apiVersion, signal, object);
      mapping = entry.kinds?.get(kind);
    }
    if (mapping !== undefined) return mapping;
    throw new UnknownKindError(
      apiVersion,
      kind,
      entry.kinds === undefined
        ? `the API server does not serve ${apiVersion}`
        : `${apiVersion} has no kind ${kind} (kinds are case-sensitive)`,
      object,
    );
  }

  /** Forgets what discovery said about one group version, or about all of them. */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.cache.clear();
    else this.cache.delete(apiVersion);
  }

  /** One discovery read per group version at a time, shared by every caller that asks meanwhile. */
  private load(
    apiVersion: string,
    signal: AbortSignal | undefined,
    object: ObjectRef | undefined,
  ): Promise<GroupVersionEntry> {
    let fill = this.loading.get(apiVersion);
    if (fill === undefined || fill.spent) {
      const created = new SharedFill((fillSignal) => this.fetch(apiVersion, fillSignal));
      const forget = () => {
        if (this.loading.get(apiVersion) === created) this.loading.delete(apiVersion);
      };
      created.promise.then(forget, forget);
      this.loading.set(apiVersion, created);
      fill = created;
    }
    const { group, version } = parseApiVersion(apiVersion) ?? { group: '', version: '' };
    return fill.join(signal, { method: 'GET', path: groupVersionPath(group, version), object });
  }

  private async fetch(apiVersion: string, signal: AbortSignal): Promise<GroupVersionEntry> {
    const { group, version } = parseApiVersion(apiVersion) ?? { group: '', version: '' };
    let list: ApiResourceList | undefined;
    try {
      const response = await this.client.request({
        method: 'GET',
        path: groupVersionPath(group, version),
        signal,
      });
      list = (response.body ?? {}) as ApiResourceList;
    } catch (err) {
      if (!(err instanceof ApiError && err.isNotFound)) throw err;
    }
    const entry: GroupVersionEntry = { loadedAt: this.now(), kinds: undefined };
    if (list !== undefined) {
      entry.kinds = new Map();
      for (const r of list.resources ?? []) {
        // Subresources (`pods/status`) share the kind of their parent; skip them.
        if (r.name === undefined || r.kind === undefined || r.name.includes('/')) continue;
        entry.kinds.set(r.kind, {
          apiVersion,
          group,
          version,
          kind: r.kind,
          plural: r.name,
          namespaced: r.namespaced === true,
        });
      }
    }
    this.cache.set(apiVersion, entry);
    return entry;
  }
}
