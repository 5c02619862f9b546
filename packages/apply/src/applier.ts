import { Annotations, EventReasons, FIELD_MANAGER, GROUP, Kinds, Labels } from '@lynq/api';
import type { ConflictPolicy, CreationPolicy, OrphanReason, PatchStrategy } from '@lynq/api';
import {
  applyIgnoreFields,
  checkJsonPath,
  decideCreation,
  decideRemoval,
  decideWrite,
  liveDeletionPolicy,
  type OwnershipDecision,
} from '@lynq/policy';
import { throwIfAborted } from './abort.js';
import { appliedHash } from './applied-hash.js';
import { mapWithConcurrency } from './concurrency.js';
import { isContainedIn } from './containment.js';
import { ListTypeIndex } from './list-types.js';
import { checkObjectShape, hashedView, normalizeDesired, scopedRef } from './desired-object.js';
import {
  AbortedError,
  ApiError,
  ApplyError,
  InvalidObjectError,
  UnexpectedResponseError,
  NotOursError,
} from './errors.js';
import type { KubeClient, KubeRequest } from './kube-client.js';
import {
  describeRef,
  isPlainObject,
  refOf,
  type KubeObject,
  type ObjectRef,
} from './object-ref.js';
import {
  hasOrphanMarkers,
  orphanClearPatch,
  orphanMarkPatch,
  type OrphanedFrom,
} from './orphan-markers.js';
import { withOwnership } from './ownership.js';
import type { ResourceMapping } from './resource-path.js';
import { KubeTransportError, resourcePath } from '@lynq/runtime';
import { RestMapper, type RestMapperOptions } from './rest-mapper.js';

const APPLY_PATCH = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';

export interface ApplyOptions {
  /** `apply` (Server-Side Apply, default), `merge` (JSON merge patch) or `replace` (update). */
  strategy?: PatchStrategy;
  /** SSA only: `Force` takes fields other managers own; `Stuck` (default) reports a ConflictError. */
  conflictPolicy?: ConflictPolicy;
  /** `Once`: create, stamp `lynq.sh/created-once`, and never touch the object again. */
  creationPolicy?: CreationPolicy;
  /**
   * How the object is tied to its LynqNode, from @lynq/policy's `decideOwnership`: a controller
   * ownerReference or the tracking labels, plus the `lynq.sh/deletion-policy` annotation.
   * Default: not tied at all.
   */
  ownership?: OwnershipDecision;
  /** JSONPaths whose live values are kept (existing objects only; not with Once). */
  ignoreFields?: readonly string[];
  /** Write even when the applied-hash and the live object say nothing changed. */
  force?: boolean;
  /**
   * With `ownership`: whether an existing object that carries nothing of Lynq's (no applied-hash,
   * deletion-policy or created-once annotation, no LynqNode ownerReference, tracking or orphan
   * label) may be adopted. Default true (Lynq adopts); false refuses with NotOursError, so that a
   * user's object is never taken over, and later deleted, by a row that happens to name it.
   */
  adoptForeign?: boolean;
  /**
   * Cancels the apply: every request it makes (discovery and schema reads included) carries the
   * signal; once it fires, nothing more is sent and the apply rejects with an AbortedError.
   */
  signal?: AbortSignal | undefined;
  /**
   * The live object as the caller's synced watch cache holds it, used instead of a GET: `null`
   * when the cache has no such object. A copy one step behind is safe: Server-Side Apply and
   * merge patches carry no precondition (applying to an object the cache did not show yet
   * updates it), a create or update that finds the object newer reads it again and retries, and
   * a change the copy misses arrives as a watch event that calls for another apply. The window
   * in which a user's object created meanwhile could be adopted is the watch's latency, the
   * same kind of window as between a GET and the write that follows it. Undefined: the object
   * is read.
   */
  cachedLive?: KubeObject | null | undefined;
  /**
   * Server-side dry run (`dryRun=All`): the API server validates, defaults and admits the write
   * and returns the object it would store, and stores nothing (`lynq plan`, `lynq diff`). Orphan
   * markers are not removed then (that is a write of its own); the apply is forced as after a
   * re-adoption.
   */
  dryRun?: boolean;
}

/** Options of the single-request operations (`get`, `removeOrphanMarkers`). */
export interface RequestOptions {
  /** Cancels the operation (AbortedError); an already-aborted signal sends nothing. */
  signal?: AbortSignal | undefined;
}

/**
 * - `created`: the object did not exist. - `updated`: a write changed its resourceVersion.
 * - `unchanged`: nothing to do (hash and live state match), or a write the server found to be a
 *   no-op. - `skipped`: creationPolicy Once and the object was already created.
 */
export type ApplyAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface ApplyResult {
  ref: ObjectRef;
  action: ApplyAction;
  /** Created, or the resourceVersion changed. */
  changed: boolean;
  /** Number of write requests this apply sent (0, 1, or 2 when it also re-adopted). */
  writes: number;
  /** The orphan markers were removed before applying. */
  readopted: boolean;
  /** The applied-hash of the desired object (undefined when skipped by Once). */
  hash: string | undefined;
  /** The live object after the apply, as the server returned it. */
  object: KubeObject;
}

export type BatchResult =
  { ok: true; ref: ObjectRef; result: ApplyResult } | { ok: false; ref: ObjectRef; error: Error };

export interface BatchOptions extends ApplyOptions {
  /** Applies in flight at once. Default 16. */
  concurrency?: number;
  /** Per-object options, merged over the shared ones. */
  optionsFor?: (object: KubeObject, index: number) => ApplyOptions;
  /**
   * When at least this many objects share a kind and namespace, the live objects are read with one
   * paginated LIST instead of one GET each. Default 50; `Infinity` turns it off.
   */
  listThreshold?: number;
}

export interface MarkOrphanedOptions extends RequestOptions {
  reason: OrphanReason;
  /** The node the object belonged to; its ownerReferences are removed (all LynqNode refs if omitted). */
  from?: OrphanedFrom;
}

export interface DeleteOptions extends RequestOptions {
  /** Default `Background`. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only this incarnation: an object recreated under the name meanwhile is kept (409). */
  uid?: string;
}

export interface ReleaseOptions extends RequestOptions {
  /** The LynqNode letting go of the object. */
  node: { name: string; namespace: string; uid?: string };
  reason: OrphanReason;
}

/**
 * What `release` did: `deleted` or `retained` (orphan markers) per the object's live
 * `lynq.sh/deletion-policy`; `absent`: already gone; `foreign`: the object is not the node's
 * (no ownerReference to it, no tracking labels naming it), so it was left alone.
 */
export type ReleaseOutcome = 'deleted' | 'retained' | 'absent' | 'foreign';

/** Something worth an Event on the managed object; the operator records it. */
export interface ApplierEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  object: ObjectRef;
}

export interface ApplierOptions {
  /** SSA field manager and the manager of every other write. Default `lynq-operator`. */
  fieldManager?: string;
  /** Share one mapper between appliers, or pass discovery options for a new one. */
  restMapper?: RestMapper;
  discovery?: RestMapperOptions;
  /** Share one index of list merge types (from the server's OpenAPI v3) between appliers. */
  listTypes?: ListTypeIndex;
  /** Clock for apply-start-time and orphaned-at. */
  now?: () => Date;
  onEvent?: (event: ApplierEvent) => void;
}

interface Target {
  ref: ObjectRef;
  mapping: ResourceMapping;
  path: string;
}

/** `{ live }` when a batch LIST already read the object (null: absent). */
type Prefetched = { live: KubeObject | null } | undefined;

/**
 * Writes objects to the cluster: Server-Side Apply, JSON merge patch or update, with Lynq's
 * ownership metadata, no-op skipping by applied-hash, ignoreFields, Once, orphan marking,
 * re-adoption and deletion. Bodies stay raw JSON end to end.
 */
export class Applier {
  readonly fieldManager: string;
  readonly restMapper: RestMapper;
  /** The merge type of every list, for drift detection. */
  readonly listTypes: ListTypeIndex;
  private readonly now: () => Date;
  private readonly onEvent: ((event: ApplierEvent) => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    options: ApplierOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.restMapper = options.restMapper ?? new RestMapper(client, options.discovery);
    this.listTypes = options.listTypes ?? new ListTypeIndex(client);
    this.now = options.now ?? (() => new Date());
    this.onEvent = options.onEvent;
  }

  /** Applies one object. Throws ApplyError subclasses (ConflictError, ApiError, ...). */
  apply(desired: KubeObject, options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.applyOnce(desired, options, undefined, true);
  }

  /**
   * Applies independent objects with bounded concurrency. Never throws for one object's failure:
   * every object gets a result, in input order. Once `signal` fires no further object is started;
   * each object not finished by then reports an AbortedError.
   */
  async applyBatch(
    objects: readonly KubeObject[],
    options: BatchOptions = {},
  ): Promise<BatchResult[]> {
    const { concurrency = 16, optionsFor, listThreshold = 50, ...shared } = options;
    const { signal } = shared;
    const prefetched = await this.prefetch(objects, listThreshold, signal);
    return mapWithConcurrency(objects, concurrency, async (object, index): Promise<BatchResult> => {
      if (signal?.aborted === true) {
        const ref = safeRef(object);
        return { ok: false, ref, error: new AbortedError(signal.reason, { object: ref }) };
      }
      const own = optionsFor?.(object, index) ?? {};
      try {
        const result = await this.applyOnce(
          object,
          { ...shared, ...own },
          prefetched.get(index),
          true,
        );
        return { ok: true, ref: result.ref, result };
      } catch (err) {
        return {
          ok: false,
          ref: safeRef(object),
          error: err instanceof Error ? err : new Error(String(err)),
        };
      }
    });
  }

  /** The live object, or null when it does not exist. */
  async get(ref: ObjectRef, options: RequestOptions = {}): Promise<KubeObject | null> {
    const target = await this.target(ref, options.signal);
    return this.read(target, options.signal);
  }

  /**
   * Marks an object orphaned (reference §5.6, Retain): `lynq.sh/orphaned=true`, orphaned-at and
   * orphaned-reason; tracking labels and ownerReferences to the node removed. Returns the updated
   * object, or null when it does not exist.
   */
  async markOrphaned(ref: ObjectRef, options: MarkOrphanedOptions): Promise<KubeObject | null> {
    const target = await this.target(ref, options.signal);
    const updated = await this.patchLive(
      target,
      (live) => orphanMarkPatch(live, options.reason, this.now(), options.from),
      options.signal,
    );
    if (updated !== null) {
      this.emit(
        'Normal',
        EventReasons.OrphanMarkersAdded,
        target.ref,
        `orphaned: ${options.reason}`,
      );
    }
    return updated;
  }

  /** Removes the orphan markers (re-adoption). Returns the object, or null when it does not exist. */
  async removeOrphanMarkers(
    ref: ObjectRef,
    options: RequestOptions = {},
  ): Promise<KubeObject | null> {
    const target = await this.target(ref, options.signal);
    const live = await this.read(target, options.signal);
    if (live === null || !hasOrphanMarkers(live)) return live;
    return this.clearOrphanMarkers(target, live, options.signal);
  }

  /** Deletes an object. Returns false when it was already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const target = await this.target(ref, options.signal);
    try {
      await this.client.request({
        method: 'DELETE',
        path: target.path,
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: options.propagationPolicy ?? 'Background',
          ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
        },
        object: target.ref,
        signal: options.signal,
      });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound) return false;
      throw err;
    }
  }

  /**
   * Lets a node's object go (it left the template, or the node is being deleted): deleted, or
   * kept with orphan markers, as the deletion policy stamped on the live object says (it wins
   * over the form's, which may have changed since). Only the node's own objects are touched, and a
   * delete names the uid that was read, so an object recreated meanwhile survives.
   */
  async release(ref: ObjectRef, options: ReleaseOptions): Promise<ReleaseOutcome> {
    const { node, reason, signal } = options;
    const target = await this.target(ref, signal);
    const live = await this.read(target, signal);
    if (live === null) return 'absent';
    if (!ownedByNode(live, node)) return 'foreign';
    const decision = decideRemoval({
      deletionPolicy: liveDeletionPolicy(live),
      reason,
      now: this.now(),
    });
    if (decision.action === 'delete') {
      const uid = live.metadata.uid;
      return (await this.delete(ref, { signal, ...(uid ? { uid } : {}) })) ? 'deleted' : 'absent';
    }
    const from = { name: node.name, ...(node.uid ? { uid: node.uid } : {}) };
    const marked = await this.markOrphaned(ref, { reason, from, signal });
    return marked === null ? 'absent' : 'retained';
  }

  private async applyOnce(
    desired: KubeObject,
    options: ApplyOptions,
    prefetched: Prefetched,
    mayRetry: boolean,
  ): Promise<ApplyResult> {
    const { signal } = options;
    throwIfAborted(signal, { object: safeRef(desired) });
    const shapeRef = checkObjectShape(desired);
    const ignoreFields = checkedIgnoreFields(shapeRef, options.ignoreFields);
    const mapping = await this.restMapper.resolve(shapeRef.apiVersion, shapeRef.kind, shapeRef, {
      signal,
    });
    let obj = normalizeDesired(desired, mapping);
    if (options.ownership !== undefined)
      obj = withOwnership(obj, options.ownership, mapping.namespaced);
    const ref = scopedRef(shapeRef, mapping);
    const target: Target = {
      ref,
      mapping,
      path: resourcePath(mapping, ref.namespace, ref.name),
    };

    let live =
      prefetched !== undefined
        ? prefetched.live
        : options.cachedLive === null
          ? null
          : (cachedLiveOf(options.cachedLive, ref) ?? (await this.read(target, signal)));
    if (live !== null && options.ownership !== undefined)
      checkOwnedBy(live, options.ownership, options.adoptForeign !== false, ref);
    const creation = decideCreation({
      creationPolicy: options.creationPolicy ?? 'WhenNeeded',
      live: live ?? undefined,
      hasIgnoreFields: ignoreFields.length > 0,
    });
    if (creation.action === 'skip' && live !== null) {
      return {
        ref,
        action: 'skipped',
        changed: false,
        writes: 0,
        readopted: false,
        hash: undefined,
        object: live,
      };
    }
    if (creation.action === 'apply' && Object.keys(creation.annotations).length > 0) {
      obj.metadata.annotations = { ...obj.metadata.annotations, ...creation.annotations };
    }

    let writes = 0;
    let readopted = false;
    let force = options.force === true;
    if (live !== null && hasOrphanMarkers(live) && options.dryRun === true) {
      readopted = true;
      force = true;
    } else if (live !== null && hasOrphanMarkers(live)) {
      live = await this.clearOrphanMarkers(target, live, signal);
      writes++;
      readopted = true;
      force = true;
    }
    if (live !== null && creation.action === 'apply' && creation.useIgnoreFields) {
      obj = applyIgnoreFields(obj, live, ignoreFields).object;
    }

    // The Go operator's order (reference §5): rendered object (+ deletion-policy annotation, + the
    // Once marker), ownership, re-adoption, ignoreFields, then the hash; what normalizeDesired
    // removed for sending is hashed as Go hashed it (hashedView). The same desired object thus
    // gets the hash the Go operator wrote, and an object it applied is not written again.
    const hash = appliedHash(hashedView(obj, desired));
    const liveAnnotations = live?.metadata.annotations ?? {};
    const sameHash = liveAnnotations[Annotations.AppliedHash] === hash;
    if (
      live !== null &&
      !force &&
      sameHash &&
      isContainedIn(obj, live, await this.listTypes.cursor(ref.apiVersion, ref.kind, { signal }))
    ) {
      return { ref, action: 'unchanged', changed: false, writes, readopted, hash, object: live };
    }
    // The start time survives re-applies of the same desired state (readiness timeouts count from it).
    const keptStart = sameHash ? liveAnnotations[Annotations.ApplyStartTime] : undefined;
    obj.metadata.annotations = {
      ...obj.metadata.annotations,
      [Annotations.AppliedHash]: hash,
      [Annotations.ApplyStartTime]: keptStart ?? this.now().toISOString(),
    };

    let written: KubeObject;
    let created = false;
    try {
      ({ object: written, created } = await this.write(target, obj, live, options));
    } catch (err) {
      // A stale view (batch LIST, a cached copy, or a race with another writer): read again and
      // redo once.
      const stale = err instanceof ApiError && (err.isAlreadyExists || err.isStale);
      if (stale && mayRetry && options.strategy !== undefined && options.strategy !== 'apply') {
        const fresh = { ...options, cachedLive: undefined };
        const retried = await this.applyOnce(desired, fresh, undefined, false);
        return { ...retried, writes: retried.writes + writes + 1 };
      }
      throw err;
    }
    writes++;
    // What the server did decides (201): an object the cache had not seen yet is updated.
    const changed =
      created ||
      live === null ||
      live.metadata.resourceVersion !== written.metadata.resourceVersion;
    const action: ApplyAction = created ? 'created' : changed ? 'updated' : 'unchanged';
    return { ref, action, changed, writes, readopted, hash, object: written };
  }

  private async write(
    target: Target,
    obj: KubeObject,
    live: KubeObject | null,
    options: ApplyOptions,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const decision = decideWrite({
      patchStrategy: options.strategy ?? 'apply',
      conflictPolicy: options.conflictPolicy ?? 'Stuck',
      live: live ?? undefined,
    });
    const query = {
      fieldManager: this.fieldManager,
      fieldValidation: 'Strict',
      dryRun: options.dryRun === true ? 'All' : undefined,
    };
    const { signal } = options;
    switch (decision.method) {
      case 'server-side-apply':
        return this.sendWrite(target, {
          method: 'PATCH',
          path: target.path,
          query: { ...query, force: decision.force ? 'true' : undefined },
          body: obj,
          contentType: APPLY_PATCH,
          signal,
        });
      case 'create': {
        const collection = resourcePath(target.mapping, target.ref.namespace);
        return this.sendWrite(target, {
          method: 'POST',
          path: collection,
          query,
          body: obj,
          signal,
        });
      }
      case 'json-merge-patch':
        return this.sendWrite(target, {
          method: 'PATCH',
          path: target.path,
          query,
          body: obj,
          contentType: MERGE_PATCH,
          signal,
        });
      case 'update': {
        const body = {
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: decision.resourceVersion },
        };
        return this.sendWrite(target, { method: 'PUT', path: target.path, query, body, signal });
      }
    }
  }

  private async clearOrphanMarkers(
    target: Target,
    live: KubeObject,
    signal: AbortSignal | undefined,
  ): Promise<KubeObject> {
    const updated = await this.patchLive(target, orphanClearPatch, signal, live);
    if (updated === null) {
      throw new ApiError({ status: 404, method: 'PATCH', path: target.path, object: target.ref });
    }
    this.emit(
      'Normal',
      EventReasons.OrphanMarkersRemoved,
      target.ref,
      're-adopted: orphan markers removed',
    );
    return updated;
  }

  /**
   * Merge-patches the live object with a patch built from it (the patch carries the live
   * resourceVersion); on a concurrent change, reads again and retries once. Null when absent.
   */
  private async patchLive(
    target: Target,
    build: (live: KubeObject) => Record<string, unknown>,
    signal: AbortSignal | undefined,
    known?: KubeObject,
  ): Promise<KubeObject | null> {
    let live = known ?? (await this.read(target, signal));
    for (let attempt = 0; live !== null; attempt++) {
      try {
        return await this.send(target, {
          method: 'PATCH',
          path: target.path,
          query: { fieldManager: this.fieldManager },
          body: build(live),
          contentType: MERGE_PATCH,
          signal,
        });
      } catch (err) {
        if (err instanceof ApiError && err.isNotFound) return null;
        if (!(err instanceof ApiError && err.isStale) || attempt > 0) throw err;
        live = await this.read(target, signal);
      }
    }
    return null;
  }

  private async read(target: Target, signal: AbortSignal | undefined): Promise<KubeObject | null> {
    try {
      return await this.send(target, { method: 'GET', path: target.path, signal });
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound) return null;
      throw err;
    }
  }

  /** A write, and whether the server created the object (201). */
  private async sendWrite(
    target: Target,
    req: Omit<KubeRequest, 'object'>,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const response = await this.client.request({ ...req, object: target.ref });
    return {
      object: asKubeObject(response.body, req.method, req.path, target.ref),
      created: response.status === 201,
    };
  }

  private async send(target: Target, req: Omit<KubeRequest, 'object'>): Promise<KubeObject> {
    const response = await this.client.request({ ...req, object: target.ref });
    return asKubeObject(response.body, req.method, req.path, target.ref);
  }

  private async target(ref: ObjectRef, signal: AbortSignal | undefined): Promise<Target> {
    throwIfAborted(signal, { object: ref });
    for (const [field, value] of [
      ['apiVersion', ref.apiVersion],
      ['kind', ref.kind],
      ['name', ref.name],
    ] as const) {
      if (typeof value !== 'string' || value === '') {
        throw new InvalidObjectError(ref, field, 'required, a non-empty string (never guessed)');
      }
    }
    const mapping = await this.restMapper.resolve(ref.apiVersion, ref.kind, ref, { signal });
    if (mapping.namespaced && (ref.namespace === undefined || ref.namespace === '')) {
      throw new InvalidObjectError(ref, 'namespace', `required: ${ref.kind} is namespaced`);
    }
    const scoped = scopedRef(ref, mapping);
    return {
      ref: scoped,
      mapping,
      path: resourcePath(mapping, scoped.namespace, scoped.name),
    };
  }

  /** Reads live objects of large same-kind, same-namespace groups with one paginated LIST each. */
  private async prefetch(
    objects: readonly KubeObject[],
    threshold: number,
    signal: AbortSignal | undefined,
  ): Promise<Map<number, Prefetched>> {
    const result = new Map<number, Prefetched>();
    if (!Number.isFinite(threshold)) return result;
    const groups = new Map<string, number[]>();
    objects.forEach((obj, index) => {
      if (!isPlainObject(obj) || !isPlainObject(obj.metadata)) return;
      const key = JSON.stringify([obj.apiVersion, obj.kind, obj.metadata.namespace ?? '']);
      const members = groups.get(key) ?? [];
      members.push(index);
      groups.set(key, members);
    });
    for (const [key, members] of groups) {
      // Aborted: every object then reports the abort on its own.
      if (signal?.aborted === true) break;
      if (members.length < Math.max(threshold, 1)) continue;
      const [apiVersion, kind, namespace] = JSON.parse(key) as [string, string, string];
      let listed: Map<string, KubeObject>;
      try {
        const mapping = await this.restMapper.resolve(apiVersion, kind, undefined, { signal });
        if (mapping.namespaced && namespace === '') continue;
        listed = await this.list(mapping, mapping.namespaced ? namespace : undefined, signal);
      } catch (err) {
        // each object then reads (and reports) on its own
        if (
          err instanceof ApplyError ||
          err instanceof ApiError ||
          err instanceof KubeTransportError
        )
          continue;
        throw err;
      }
      for (const index of members) {
        const name = objects[index]?.metadata.name;
        if (typeof name === 'string') result.set(index, { live: listed.get(name) ?? null });
      }
    }
    return result;
  }

  private async list(
    mapping: ResourceMapping,
    namespace: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, KubeObject>> {
    const byName = new Map<string, KubeObject>();
    const path = resourcePath(mapping, namespace);
    let continueToken: string | undefined;
    do {
      const response = await this.client.request({
        method: 'GET',
        path,
        query: { limit: '500', continue: continueToken },
        signal,
      });
      const body = response.body as
        { items?: unknown[]; metadata?: { continue?: string } } | undefined;
      for (const item of body?.items ?? []) {
        if (!isPlainObject(item) || !isPlainObject(item['metadata'])) continue;
        // List items of built-in kinds come without apiVersion and kind.
        const obj = { ...item, apiVersion: mapping.apiVersion, kind: mapping.kind } as KubeObject;
        if (typeof obj.metadata.name === 'string') byName.set(obj.metadata.name, obj);
      }
      continueToken = body?.metadata?.continue || undefined;
    } while (continueToken !== undefined);
    return byName;
  }

  private emit(
    type: ApplierEvent['type'],
    reason: string,
    object: ObjectRef,
    message: string,
  ): void {
    this.onEvent?.({ type, reason, message, object });
  }
}

function asKubeObject(body: unknown, method: string, path: string, ref: ObjectRef): KubeObject {
  if (!isPlainObject(body) || !isPlainObject(body['metadata'])) {
    throw new UnexpectedResponseError(
      method,
      path,
      `expected ${describeRef(ref)} in the response`,
      ref,
    );
  }
  return body as KubeObject;
}

/** The caller's cached copy, if it is the object being applied (else it is read). */
function cachedLiveOf(cached: KubeObject | undefined, ref: ObjectRef): KubeObject | undefined {
  if (cached === undefined || !isPlainObject(cached) || !isPlainObject(cached.metadata))
    return undefined;
  const { name, namespace } = cached.metadata;
  return name === ref.name && (namespace ?? undefined) === (ref.namespace ?? undefined)
    ? cached
    : undefined;
}

/** ignoreFields paths, each checked (admission should have caught a bad one; never ignore it). */
function checkedIgnoreFields(
  ref: ObjectRef,
  paths: readonly string[] | undefined,
): readonly string[] {
  (paths ?? []).forEach((path, i) => {
    const problem = checkJsonPath(path);
    if (problem !== undefined)
      throw new InvalidObjectError(ref, `ignoreFields[${i}]`, problem.message);
  });
  return paths ?? [];
}

function safeRef(object: unknown): ObjectRef {
  return refOf(isPlainObject(object) ? (object as Parameters<typeof refOf>[0]) : {});
}

/** Whether a live object belongs to the node: its ownerReference, or its tracking labels. */
function ownedByNode(live: KubeObject, node: ReleaseOptions['node']): boolean {
  const refs = live.metadata.ownerReferences;
  if (node.uid && (refs ?? []).some((r) => r.uid === node.uid)) return true;
  const labels = live.metadata.labels ?? {};
  return labels[Labels.Node] === node.name && labels[Labels.NodeNamespace] === node.namespace;
}

/** Another node's object, or (when adoption is off) an object that carries nothing of Lynq's. */
function checkOwnedBy(
  live: KubeObject,
  ownership: OwnershipDecision,
  adoptForeign: boolean,
  ref: ObjectRef,
): void {
  const { labels = {}, annotations = {}, ownerReferences = [] } = live.metadata;
  const byRef = ownership.mode === 'ownerReference';
  const ourName = byRef ? ownership.ownerReference.name : ownership.labels[Labels.Node];
  const ourNamespace = byRef ? live.metadata.namespace : ownership.labels[Labels.NodeNamespace];
  const nodeRef = ownerReferences.find(
    (r) => r.controller === true && r.kind === Kinds.Node && r.apiVersion.startsWith(`${GROUP}/`),
  );
  const labelled = labels[Labels.Node];
  let other: string | undefined;
  // Same node: the uid when we have one (a recreated node of the same name is another node).
  if (
    nodeRef !== undefined &&
    (byRef ? nodeRef.uid !== ownership.ownerReference.uid : nodeRef.name !== ourName)
  )
    other = `${live.metadata.namespace ?? ''}/${nodeRef.name}`;
  else if (
    labelled !== undefined &&
    (labelled !== ourName || labels[Labels.NodeNamespace] !== ourNamespace)
  )
    other = `${labels[Labels.NodeNamespace] ?? ''}/${labelled}`;
  if (other !== undefined)
    throw new NotOursError(
      ref,
      'another-node',
      `is managed by LynqNode ${other}: two resources render the same object; give one of them another name`,
    );
  const lynqs =
    nodeRef !== undefined ||
    labelled !== undefined ||
    labels[Labels.Orphaned] !== undefined ||
    annotations[Annotations.AppliedHash] !== undefined ||
    annotations[Annotations.DeletionPolicy] !== undefined ||
    annotations[Annotations.CreatedOnce] !== undefined;
  if (!lynqs && !adoptForeign)
    throw new NotOursError(
      ref,
      'foreign',
      'already exists and was not created by Lynq; it is left alone (set conflictPolicy: Force on the resource to adopt it)',
    );
}
