import { InvalidOptionError } from './errors.js';
import { matchesLabelSelector, type LabelSelector } from './label-selector.js';
import { objectKey, type KubeObject } from './resource.js';

/** Maps an object to the index values it is found under (none: not indexed). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Name of the index every store keeps: objects by namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** An index function over the value of one label. */
export function labelIndex<T extends KubeObject>(labelKey: string): IndexFunc<T> {
  return (obj) => {
    const v = obj.metadata.labels?.[labelKey];
    return v === undefined ? [] : [v];
  };
}

/** The reading half of a Store: what controllers get from an informer. */
export type Lister<T extends KubeObject = KubeObject> = Pick<
  Store<T>,
  'get' | 'getByKey' | 'list' | 'byIndex' | 'indexValues' | 'keys' | 'size'
>;

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
}

/**
 * The informer's cache: objects by `namespace/name` key, with indexes kept up to date on every
 * change. Read it through the informer's handlers or its lister methods; only the informer writes.
 */
export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndex(NAMESPACE_INDEX, (obj) => [obj.metadata.namespace ?? '']);
    for (const [name, fn] of Object.entries(indexers)) this.addIndex(name, fn);
  }

  /** Adds an index (also over objects already cached). */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name))
      throw new InvalidOptionError(`indexers.${name}`, 'index already exists');
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
  }

  get size(): number {
    return this.items.size;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** The object called `name` (in `namespace`, for namespaced kinds). */
  get(name: string, namespace?: string): T | undefined {
    return this.items.get(
      namespace !== undefined && namespace !== '' ? `${namespace}/${name}` : name,
    );
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects, optionally only those of a namespace and/or matching a label selector. */
  list(options: ListOptions = {}): T[] {
    const source =
      options.namespace !== undefined
        ? this.byIndex(NAMESPACE_INDEX, options.namespace)
        : [...this.items.values()];
    const sel = options.labelSelector;
    return sel === undefined
      ? source
      : source.filter((o) => matchesLabelSelector(sel, o.metadata.labels));
  }

  /** Objects whose index function returned `value` for index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (index === undefined)
      throw new InvalidOptionError('indexName', `no index named ${indexName}`);
    const keys = index.get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.items.get(k);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** The values present in index `indexName`. */
  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined)
      throw new InvalidOptionError('indexName', `no index named ${indexName}`);
    return [...index.keys()];
  }

  /** Inserts or replaces `obj`; returns the object it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      if (old !== undefined) removeFromIndex(index, fn(old), key);
      addToIndex(index, fn(obj), key);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) {
      removeFromIndex(this.indices.get(name) as Map<string, Set<string>>, fn(old), key);
    }
    return old;
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (keys === undefined) {
      keys = new Set();
      index.set(v, keys);
    }
    keys.add(key);
  }
}

function removeFromIndex(
  index: Map<string, Set<string>>,
  values: readonly string[],
  key: string,
): void {
  for (const v of values) {
    const keys = index.get(v);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(v);
  }
}
