// How the API server merges each list of an object (x-kubernetes-list-type), read from its
// OpenAPI v3 documents. Drift detection needs it: an atomic list (container args) is ordered and
// owned whole, so a reordered or shortened live list has drifted; a map list (containers, env) is
// matched by key and may hold entries of other managers; a set is unordered.
import { SharedFill, throwIfAborted } from './abort.js';
import { ApiError } from './errors.js';
import type { KubeClient } from './kube-client.js';
import { parseApiVersion } from './resource-path.js';

export type ListType =
  | { readonly type: 'atomic' }
  | { readonly type: 'set' }
  | { readonly type: 'map'; readonly keys: readonly string[] };

/** A position in an object's schema; walk it alongside the object. */
export interface SchemaCursor {
  /** The schema of a field of the object at this position. */
  field(name: string): SchemaCursor | undefined;
  /** The schema of the items of the list at this position. */
  items(): SchemaCursor | undefined;
  /** How the list at this position merges; undefined when the schema does not say. */
  listType(): ListType | undefined;
}

/** An OpenAPI v3 schema object, as far as list types need it. */
interface OpenApiSchema {
  $ref?: string;
  allOf?: OpenApiSchema[];
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-group-version-kind'?: { group?: string; version?: string; kind?: string }[];
}

interface OpenApiDocument {
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** An atomic list: what Server-Side Apply makes of a list its schema says nothing of. */
export const ATOMIC: ListType = Object.freeze({ type: 'atomic' });
/** How long a document that lacks the kind asked for is trusted before it is read again. */
const UNKNOWN_TTL_MS = 5_000;
const SET: ListType = Object.freeze({ type: 'set' });

class OpenApiCursor implements SchemaCursor {
  constructor(
    private readonly schema: OpenApiSchema,
    private readonly schemas: Record<string, OpenApiSchema>,
  ) {}

  field(name: string): SchemaCursor | undefined {
    for (const s of this.alternatives()) {
      const p =
        s.properties !== undefined && Object.hasOwn(s.properties, name)
          ? s.properties[name]
          : undefined;
      if (p !== undefined) return this.at(p);
      if (typeof s.additionalProperties === 'object') return this.at(s.additionalProperties);
    }
    return undefined;
  }

  items(): SchemaCursor | undefined {
    for (const s of this.alternatives()) if (s.items !== undefined) return this.at(s.items);
    return undefined;
  }

  listType(): ListType | undefined {
    for (const s of this.alternatives()) {
      const t = s['x-kubernetes-list-type'];
      if (t === 'atomic') return ATOMIC;
      if (t === 'set') return SET;
      if (t === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        return keys.length > 0
          ? Object.freeze({ type: 'map', keys: Object.freeze([...keys]) })
          : ATOMIC;
      }
    }
    return undefined;
  }

  private at(schema: OpenApiSchema): SchemaCursor {
    return new OpenApiCursor(schema, this.schemas);
  }

  /** The schema itself and what it refers to ($ref, allOf), bounded so a cyclic document ends. */
  private alternatives(): OpenApiSchema[] {
    const out: OpenApiSchema[] = [];
    const queue: OpenApiSchema[] = [this.schema];
    while (queue.length > 0 && out.length < 16) {
      const s = queue.shift()!;
      out.push(s);
      if (s.$ref !== undefined) {
        const name = s.$ref.replace(/^#\/components\/schemas\//, '');
        const target = Object.hasOwn(this.schemas, name) ? this.schemas[name] : undefined;
        if (target !== undefined) queue.push(target);
      }
      for (const a of s.allOf ?? []) queue.push(a);
    }
    return out;
  }
}

/** Returns a cursor at the root of an object of `kind`, from a group version's OpenAPI document. */
export function cursorForKind(
  document: unknown,
  group: string,
  version: string,
  kind: string,
): SchemaCursor | undefined {
  const schemas = (document as OpenApiDocument | undefined)?.components?.schemas;
  if (schemas === undefined) return undefined;
  for (const schema of Object.values(schemas)) {
    const gvks = schema['x-kubernetes-group-version-kind'] ?? [];
    if (gvks.some((g) => (g.group ?? '') === group && g.version === version && g.kind === kind))
      return new OpenApiCursor(schema, schemas);
  }
  return undefined;
}

interface GroupVersionDocument {
  loadedAt: number;
  document: unknown;
}

export interface ListTypeIndexOptions {
  /** How long one group version's document is kept before it is read again. Default 10 min. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Reads and caches the OpenAPI v3 document of each group version the applier writes, so that
 * drift detection knows every list's merge type. One request per group version, kept for `ttlMs`.
 */
export class ListTypeIndex {
  private readonly documents = new Map<string, SharedFill<GroupVersionDocument>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: KubeClient,
    options: ListTypeIndexOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The schema of `kind` in `apiVersion`, or undefined when the server publishes none (then every
   * list counts as atomic, which is what Server-Side Apply does with a list it knows nothing of).
   * `signal` stops this caller's wait (AbortedError); a read other callers share runs on for them.
   */
  async cursor(
    apiVersion: string,
    kind: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<SchemaCursor | undefined> {
    const gv = parseApiVersion(apiVersion);
    if (gv === undefined) return undefined;
    const path = documentPath(gv.group, gv.version);
    throwIfAborted(options.signal, { method: 'GET', path });
    let fill = this.documents.get(apiVersion);
    const settled = fill?.settled;
    if (
      fill === undefined ||
      fill.spent ||
      (settled?.ok === true && this.now() - settled.value.loadedAt > this.ttlMs)
    ) {
      const created = new SharedFill((signal) => this.load(path, signal));
      created.promise.catch(() => {
        if (this.documents.get(apiVersion) === created) this.documents.delete(apiVersion);
      });
      this.documents.set(apiVersion, created);
      fill = created;
    }
    const { document, loadedAt } = await fill.join(options.signal, { method: 'GET', path });
    const cursor = cursorForKind(document, gv.group, gv.version, kind);
    // A CRD's schema is published a moment after the CRD: do not keep "unknown" for long.
    if (
      cursor === undefined &&
      this.now() - loadedAt > UNKNOWN_TTL_MS &&
      this.documents.get(apiVersion) === fill
    )
      this.documents.delete(apiVersion);
    return cursor;
  }

  /** Forgets cached documents (a CRD changed its schema). */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.documents.clear();
    else this.documents.delete(apiVersion);
  }

  private async load(path: string, signal: AbortSignal): Promise<GroupVersionDocument> {
    try {
      const res = await this.client.request({ method: 'GET', path, signal });
      return { loadedAt: this.now(), document: res.body };
    } catch (err) {
      // Not published (a server without OpenAPI v3, or a group version it does not serve): every
      // list counts as atomic.
      if (err instanceof ApiError && err.isNotFound)
        return { loadedAt: this.now(), document: undefined };
      throw err;
    }
  }
}

/**
 * The unhashed URL always serves the current document; a hashed one from the index answers 301
 * once the schema changed (a CRD was updated), so the index is not used.
 */
function documentPath(group: string, version: string): string {
  return group === '' ? `/openapi/v3/api/${version}` : `/openapi/v3/apis/${group}/${version}`;
}
