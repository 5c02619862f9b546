// The bench's view of the cluster: the project's RestClient and Informer, plain JSON objects.
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { Resources } from '@lynq/api';
import {
  Informer,
  KubeApiError,
  RestClient,
  resourcePath,
  resourceType,
  silentLogger,
  type KubeObject,
  type ResourceType,
} from '@lynq/runtime';

export const Res = {
  Hub: Resources.Hub,
  Form: Resources.Form,
  Node: Resources.Node,
  Namespace: resourceType('v1', 'Namespace', 'namespaces', false),
  KubeNode: resourceType('v1', 'Node', 'nodes', false),
  Pod: resourceType('v1', 'Pod', 'pods'),
  ConfigMap: resourceType('v1', 'ConfigMap', 'configmaps'),
  Deployment: resourceType('apps/v1', 'Deployment', 'deployments'),
} as const;

const TYPES: ReadonlyMap<string, ResourceType> = new Map(
  [
    Res.ConfigMap,
    Res.Deployment,
    resourceType('v1', 'ServiceAccount', 'serviceaccounts'),
    resourceType('v1', 'Service', 'services'),
    resourceType('networking.k8s.io/v1', 'Ingress', 'ingresses'),
    Res.Hub,
    Res.Form,
  ].map((t) => [`${t.apiVersion}/${t.kind}`, t]),
);

export function typeOf(obj: KubeObject): ResourceType {
  const type = TYPES.get(`${obj.apiVersion ?? ''}/${obj.kind ?? ''}`);
  if (type === undefined) throw new Error(`the bench does not know ${obj.apiVersion}/${obj.kind}`);
  return type;
}

export const isStatus = (err: unknown, status: number) =>
  err instanceof KubeApiError && err.status === status;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function condition(obj: KubeObject | undefined, type: string): Condition | undefined {
  const status = obj?.['status'] as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * A client over the kubeconfig. `maxSockets` bounds its connections (the raw phase's own client:
 * watches of the shared one must not take a slot of the 32).
 */
export async function connect(kubeconfig: string, maxSockets?: number): Promise<RestClient> {
  const rest = new RestClient(loadKubeConfig(kubeconfig), {
    ...(maxSockets !== undefined ? { maxSockets } : {}),
    timeoutMs: 60_000,
    userAgent: 'lynq-bench-e2e',
  });
  await rest.refreshCredentials();
  return rest;
}

export async function createNamespace(rest: RestClient, name: string): Promise<void> {
  await rest.request({
    method: 'POST',
    path: resourcePath(Res.Namespace),
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
}

/** POST of a Lynq or built-in object. */
export async function create(rest: RestClient, obj: KubeObject): Promise<void> {
  await rest.request({
    method: 'POST',
    path: resourcePath(typeOf(obj), obj.metadata.namespace),
    body: obj,
  });
}

/** Server-Side Apply, forced, as `fieldManager`. */
export async function apply(
  rest: RestClient,
  obj: KubeObject,
  fieldManager: string,
): Promise<void> {
  await rest.request({
    method: 'PATCH',
    path: resourcePath(typeOf(obj), obj.metadata.namespace, obj.metadata.name),
    query: { fieldManager, force: true },
    contentType: 'application/apply-patch+yaml',
    body: obj,
  });
}

export async function list<T extends KubeObject = KubeObject>(
  rest: RestClient,
  type: ResourceType,
  namespace?: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await rest.request<{ items?: T[]; metadata?: { continue?: string } }>({
      path: resourcePath(type, namespace),
      query: { ...query, limit: 500, continue: cont },
    });
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont !== undefined);
  return items;
}

/** Deletes a namespace (404: already gone) and, unless `wait` is false, waits until it is gone. */
export async function deleteNamespace(
  rest: RestClient,
  name: string,
  options: { timeoutMs: number; progress?: (text: string) => void },
): Promise<number> {
  const started = Date.now();
  try {
    await rest.request({
      method: 'DELETE',
      path: resourcePath(Res.Namespace, undefined, name),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });
  } catch (err) {
    if (isStatus(err, 404)) return 0;
    throw err;
  }
  let lastReport = Date.now();
  for (;;) {
    try {
      await rest.request({ path: resourcePath(Res.Namespace, undefined, name) });
    } catch (err) {
      if (isStatus(err, 404)) return (Date.now() - started) / 1000;
      throw err;
    }
    if (Date.now() - started > options.timeoutMs) {
      const pods = await list(rest, Res.Pod, name).catch(() => []);
      throw new Error(
        `namespace ${name} still exists ${Math.round(options.timeoutMs / 1000)} s after its deletion (${pods.length} pods left); check the kube-controller-manager log`,
      );
    }
    if (options.progress !== undefined && Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const pods = await list(rest, Res.Pod, name).catch(() => []);
      options.progress(`namespace ${name} terminating, ${pods.length} pods left`);
    }
    await delay(500);
  }
}

/** Removes every finalizer of the objects of `type` in `namespace` (after the operator stopped). */
export async function clearFinalizers(
  rest: RestClient,
  type: ResourceType,
  namespace: string,
  concurrency: number,
): Promise<number> {
  const objects = (await list(rest, type, namespace)).filter(
    (o) => (o.metadata.finalizers?.length ?? 0) > 0,
  );
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const obj = objects[next++];
      if (obj === undefined) break;
      try {
        await rest.request({
          method: 'PATCH',
          path: resourcePath(type, namespace, obj.metadata.name),
          contentType: 'application/merge-patch+json',
          body: { metadata: { finalizers: null } },
        });
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  return objects.length;
}

/**
 * An informer over one kind in one namespace that counts the objects `done` says are done and
 * resolves waits for a count. Events re-check only the changed object.
 */
export class Tracker<T extends KubeObject = KubeObject> {
  readonly informer: Informer<T>;
  private readonly done = new Set<string>();
  private waiters: { count: number; resolve: () => void }[] = [];
  /** Called on every add and update (after the done set was updated). */
  onChange: ((obj: T) => void) | undefined;
  /** When each object was first seen done (ms since the epoch). */
  readonly doneAt = new Map<string, number>();

  constructor(
    rest: RestClient,
    type: ResourceType,
    namespace: string,
    private readonly isDone: (obj: T) => boolean,
    labelSelector?: string,
  ) {
    this.informer = new Informer<T>({
      client: rest,
      type,
      namespace,
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      logger: silentLogger,
    });
    const check = (obj: T) => {
      const name = obj.metadata.name ?? '';
      if (this.isDone(obj)) {
        this.done.add(name);
        if (!this.doneAt.has(name)) this.doneAt.set(name, Date.now());
      } else {
        this.done.delete(name);
      }
      this.onChange?.(obj);
      this.wake();
    };
    this.informer.addEventHandler({
      onAdd: check,
      onUpdate: (_, obj) => check(obj),
      onDelete: (obj) => {
        this.done.delete(obj.metadata.name ?? '');
        this.wake();
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync(AbortSignal.timeout(60_000));
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get doneCount(): number {
    return this.done.size;
  }

  get total(): number {
    return this.informer.store.list().length;
  }

  /** The objects not done, for a timeout message. */
  pending(): T[] {
    return this.informer.store.list().filter((o) => !this.done.has(o.metadata.name ?? ''));
  }

  /** Resolves once `count` objects are done; rejects after `timeoutMs`. */
  async waitFor(
    count: number,
    timeoutMs: number,
    options: { progress?: () => void; failFast?: () => string | undefined } = {},
  ): Promise<void> {
    if (this.done.size >= count) return;
    let resolveDone = () => {};
    const reached = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const waiter = { count, resolve: resolveDone };
    this.waiters.push(waiter);
    const deadline = Date.now() + timeoutMs;
    let lastProgress = Date.now();
    try {
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new PhaseTimeoutError(timeoutMs);
        const tick = Math.min(left, 1_000);
        const result = await Promise.race([reached.then(() => 'done' as const), delay(tick)]);
        if (result === 'done') return;
        const failed = options.failFast?.();
        if (failed !== undefined) throw new Error(failed);
        if (options.progress !== undefined && Date.now() - lastProgress >= 10_000) {
          lastProgress = Date.now();
          options.progress();
        }
      }
    } finally {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
  }

  private wake(): void {
    for (const w of this.waiters) if (this.done.size >= w.count) w.resolve();
  }
}

export class PhaseTimeoutError extends Error {
  override readonly name = 'PhaseTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`not done after ${Math.round(timeoutMs / 1000)} s`);
  }
}
