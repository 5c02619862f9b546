import {
  Labels,
  API_VERSION,
  type LynqForm,
  type LynqFormInput,
  type LynqHub,
  type LynqHubInput,
  type LynqNode,
  type LynqNodeInput,
} from '@lynq/api';
import {
  Informer,
  RestClient,
  deleteObject,
  isNotFound,
  loadClusterCredentials,
  resourcePath,
  jsonLogger,
  type ClusterCredentials,
  type KubeObject,
  type Logger,
  type ResourceType,
} from '@lynq/runtime';
import { InvalidArgumentError, NodeNotReadyError } from '../errors.js';
import { nodeReadiness, type NodeReadiness } from './node-readiness.js';
import { CoreEvents, LynqTypes } from './resources.js';

/** The field manager of writes made through the SDK, unless LynqClientOptions.fieldManager says otherwise. */
export const DEFAULT_FIELD_MANAGER = 'lynq-sdk';

export interface LynqClientOptions {
  /** Server-side apply field manager (default `lynq-sdk`). */
  fieldManager?: string;
  /**
   * Where the watches of watchNodes and waitForNodeReady report failed requests they retry (and
   * an onEvent callback that threw). Default: JSON lines on stderr, warnings and errors only;
   * `silentLogger` from @lynq/runtime turns them off (the last error still ends up in
   * NodeNotReadyError).
   */
  logger?: Logger;
}

export interface KubeconfigOptions extends LynqClientOptions {
  /** The kubeconfig file (default: $KUBECONFIG, then in-cluster, then ~/.kube/config). */
  path?: string;
  /** A context of the kubeconfig other than its current-context. */
  context?: string;
  /** User-Agent of the requests (default `lynq-sdk`). */
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends RequestOptions {
  /** A label selector such as `lynq.sh/hub=tenants,tier!=free`. */
  labelSelector?: string;
}

export interface ApplyOptions extends RequestOptions {
  /** Take over fields another field manager owns instead of failing with 409 Conflict. */
  force?: boolean;
  /** Server-side dry run: the API server (and its admission webhooks) check the object, nothing is stored. */
  dryRun?: boolean;
}

export interface DeleteOptions extends RequestOptions {
  /** Delete only this incarnation of the object (a new object under the same name is left alone). */
  uid?: string;
}

/** What `watchNodes` reports. `DELETED` carries the node's last known state. */
export interface NodeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  node: LynqNode;
}

export interface WatchNodesOptions {
  /** Only this namespace (default: every namespace). */
  namespace?: string;
  /** Only the nodes of this hub (label `lynq.sh/hub`). */
  hub?: string;
  /** Only the nodes of this form (`spec.templateRef`). */
  form?: string;
  /** A further label selector. */
  labelSelector?: string;
}

export interface WaitForNodeReadyOptions extends RequestOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
}

type Watchable = LynqNode & KubeObject;

/** The parts of a core/v1 Event the not-Ready error reports. */
interface CoreEvent {
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
}

const MAX_WARNINGS = 3;

/** When an event last happened, as a sortable RFC 3339 string. */
function eventTime(e: CoreEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
}

/** Server-set metadata that a server-side apply must not carry (managedFields even makes it fail). */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
] as const;

/**
 * A typed client for Lynq's objects (LynqHub, LynqForm, LynqNode) over @lynq/runtime's RestClient,
 * the project's one Kubernetes HTTP client: the same credential loading (kubeconfig, exec plugins,
 * in-cluster service account), retries of 429 and re-read credentials after 401.
 *
 * Reads return the objects as the API server stores them. Writes are server-side applies with the
 * client's field manager, so a field this client never set stays with whoever set it. Failed
 * requests throw @lynq/runtime's KubeApiError (status, reason, the Status causes with field paths)
 * or KubeTransportError.
 */
export class LynqClient {
  readonly fieldManager: string;
  private readonly logger: Logger;

  constructor(
    /** The underlying client; share it with informers or an applier. */
    readonly rest: RestClient,
    options: LynqClientOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
    if (this.fieldManager === '')
      throw new InvalidArgumentError('fieldManager', 'must not be empty');
    this.logger =
      options.logger ?? jsonLogger({ level: 'warn', fields: { component: 'lynq-sdk' } });
  }

  /**
   * A client for a kubeconfig's current context (or `options.context`): `options.path`, else
   * $KUBECONFIG, else the pod's service account, else ~/.kube/config. Throws @lynq/runtime's
   * KubeconfigError naming the file and field when the kubeconfig cannot be used.
   */
  static async fromKubeconfig(options: KubeconfigOptions = {}): Promise<LynqClient> {
    const credentials = await loadClusterCredentials({
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
    });
    return LynqClient.fromCredentials(credentials, options);
  }

  /**
   * A client with the pod's service-account credentials, ignoring $KUBECONFIG and ~/.kube/config.
   * Throws KubeconfigError when not running in a pod.
   */
  static async inCluster(
    options: LynqClientOptions & { userAgent?: string } = {},
  ): Promise<LynqClient> {
    const credentials = await loadClusterCredentials({
      env: {
        KUBERNETES_SERVICE_HOST: process.env['KUBERNETES_SERVICE_HOST'],
        KUBERNETES_SERVICE_PORT: process.env['KUBERNETES_SERVICE_PORT'],
      },
    });
    return LynqClient.fromCredentials(credentials, options);
  }

  /** A client for credentials already loaded: loadClusterCredentials()'s, or client-node's KubeConfig. */
  static fromCredentials(
    credentials: ClusterCredentials,
    options: LynqClientOptions & { userAgent?: string } = {},
  ): LynqClient {
    const rest = new RestClient(credentials, { userAgent: options.userAgent ?? 'lynq-sdk' });
    return new LynqClient(rest, options);
  }

  /** Closes pooled connections (a process exits sooner without them). */
  close(): void {
    this.rest.close();
  }

  // Hubs

  /** The hub, or undefined when there is none by that name. */
  getHub(namespace: string, name: string, options?: RequestOptions): Promise<LynqHub | undefined> {
    return this.get<LynqHub>(LynqTypes.Hub, namespace, name, options);
  }

  /** The hubs of a namespace, or of every namespace when `namespace` is undefined. */
  listHubs(namespace?: string, options?: ListOptions): Promise<LynqHub[]> {
    return this.list<LynqHub>(LynqTypes.Hub, namespace, options);
  }

  /** Creates or updates a hub (server-side apply); resolves with the stored object. */
  applyHub(hub: LynqHubInput | LynqHub, options?: ApplyOptions): Promise<LynqHub> {
    return this.apply<LynqHub>(LynqTypes.Hub, hub, options);
  }

  /** Deletes a hub; false when there was none. Its nodes go with it (owner references). */
  deleteHub(namespace: string, name: string, options?: DeleteOptions): Promise<boolean> {
    return this.delete(LynqTypes.Hub, namespace, name, options);
  }

  // Forms

  getForm(
    namespace: string,
    name: string,
    options?: RequestOptions,
  ): Promise<LynqForm | undefined> {
    return this.get<LynqForm>(LynqTypes.Form, namespace, name, options);
  }

  listForms(namespace?: string, options?: ListOptions): Promise<LynqForm[]> {
    return this.list<LynqForm>(LynqTypes.Form, namespace, options);
  }

  applyForm(form: LynqFormInput | LynqForm, options?: ApplyOptions): Promise<LynqForm> {
    return this.apply<LynqForm>(LynqTypes.Form, form, options);
  }

  deleteForm(namespace: string, name: string, options?: DeleteOptions): Promise<boolean> {
    return this.delete(LynqTypes.Form, namespace, name, options);
  }

  // Nodes (the operator's hub controller writes them; applying one by hand is for tests and tools)

  getNode(
    namespace: string,
    name: string,
    options?: RequestOptions,
  ): Promise<LynqNode | undefined> {
    return this.get<LynqNode>(LynqTypes.Node, namespace, name, options);
  }

  listNodes(namespace?: string, options?: ListOptions): Promise<LynqNode[]> {
    return this.list<LynqNode>(LynqTypes.Node, namespace, options);
  }

  applyNode(node: LynqNodeInput | LynqNode, options?: ApplyOptions): Promise<LynqNode> {
    return this.apply<LynqNode>(LynqTypes.Node, node, options);
  }

  deleteNode(namespace: string, name: string, options?: DeleteOptions): Promise<boolean> {
    return this.delete(LynqTypes.Node, namespace, name, options);
  }

  /** The nodes a hub created: those labelled `lynq.sh/hub=<hub>` in the hub's namespace. */
  nodesOfHub(namespace: string, hubName: string, options?: RequestOptions): Promise<LynqNode[]> {
    requireName('namespace', namespace);
    requireName('hubName', hubName);
    return this.listNodes(namespace, { ...options, labelSelector: `${Labels.Hub}=${hubName}` });
  }

  /** The nodes rendering a form: those of the namespace whose `spec.templateRef` names it. */
  async nodesOfForm(
    namespace: string,
    formName: string,
    options?: RequestOptions,
  ): Promise<LynqNode[]> {
    requireName('namespace', namespace);
    requireName('formName', formName);
    const nodes = await this.listNodes(namespace, options);
    return nodes.filter((n) => n.spec?.templateRef === formName);
  }

  /**
   * Reports every node (matching `options`) as ADDED, then each change, until `signal` aborts;
   * resolves then. A watch that breaks or expires is resumed (or relisted) by @lynq/runtime's
   * Informer, so no change is lost; deletions noticed only on a relist come as DELETED too.
   */
  async watchNodes(
    options: WatchNodesOptions,
    onEvent: (event: NodeEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    const informer = this.nodeInformer(options);
    const form = options.form;
    const pass = (node: LynqNode) => form === undefined || node.spec?.templateRef === form;
    informer.addEventHandler({
      onAdd: (node) => {
        if (pass(node)) onEvent({ type: 'ADDED', node });
      },
      onUpdate: (old, node) => {
        // A node that changed form is reported as leaving one and joining the other.
        const was = pass(old);
        const is = pass(node);
        if (was && is) onEvent({ type: 'MODIFIED', node });
        else if (is) onEvent({ type: 'ADDED', node });
        else if (was) onEvent({ type: 'DELETED', node });
      },
      onDelete: (node) => {
        if (pass(node)) onEvent({ type: 'DELETED', node });
      },
    });
    informer.start();
    await new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await informer.stop();
  }

  /**
   * Resolves with the node once it is Ready (its Ready condition True, for its current
   * generation). Rejects with NodeNotReadyError after `timeoutMs`, carrying the Ready condition's
   * reason and message as last seen (or NotFound / NoReadyCondition / StaleStatus).
   */
  async waitForNodeReady(
    namespace: string,
    name: string,
    options: WaitForNodeReadyOptions = {},
  ): Promise<LynqNode> {
    requireName('namespace', namespace);
    requireName('name', name);
    const timeoutMs = options.timeoutMs ?? 120_000;
    if (!(timeoutMs > 0))
      throw new InvalidArgumentError('timeoutMs', 'must be a positive number of milliseconds');
    const informer = this.nodeInformer({ namespace, fieldSelector: `metadata.name=${name}` });
    let last: LynqNode | undefined;
    let settle: (ready: LynqNode | undefined) => void = () => undefined;
    const outcome = new Promise<LynqNode | undefined>((resolve) => (settle = resolve));
    const seen = (node: LynqNode | undefined) => {
      last = node;
      if (node !== undefined && nodeReadiness(node).ready) settle(node);
    };
    informer.addEventHandler({
      onAdd: seen,
      onUpdate: (_old, node) => seen(node),
      onDelete: () => seen(undefined),
    });
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    const onAbort = () => settle(undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    informer.start();
    try {
      const ready = await outcome;
      if (ready !== undefined) return ready;
      if (options.signal?.aborted === true) throw options.signal.reason;
      const verdict: NodeReadiness = nodeReadiness(last);
      const watchError = informer.stats.lastError;
      // When the node was never seen because the watch itself failed, that is the reason to report.
      const detail =
        last === undefined && watchError !== undefined
          ? `${verdict.message} (watch: ${watchError})`
          : verdict.message;
      const warnings = last === undefined ? [] : await this.nodeWarnings(last, options.signal);
      throw new NodeNotReadyError(
        namespace,
        name,
        timeoutMs,
        verdict.reason,
        detail,
        verdict.condition,
        warnings,
      );
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      await informer.stop();
    }
  }

  /**
   * The latest Warning events of a node (this incarnation), newest first, as `reason: message`. A
   * failure to read them (no RBAC for events) becomes the one entry, so it is not lost either.
   */
  private async nodeWarnings(node: LynqNode, signal?: AbortSignal): Promise<string[]> {
    const selector = [
      `involvedObject.kind=${LynqTypes.Node.kind}`,
      `involvedObject.name=${node.metadata.name ?? ''}`,
      ...(node.metadata.uid !== undefined ? [`involvedObject.uid=${node.metadata.uid}`] : []),
      'type=Warning',
    ].join(',');
    try {
      const list = await this.rest.request<{ items?: CoreEvent[] }>({
        path: resourcePath(CoreEvents, node.metadata.namespace),
        query: { fieldSelector: selector },
        ...(signal !== undefined ? { signal } : {}),
      });
      return (list.items ?? [])
        .sort((a, b) => eventTime(b).localeCompare(eventTime(a)))
        .slice(0, MAX_WARNINGS)
        .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
    } catch (err) {
      return [`events could not be read: ${err instanceof Error ? err.message : String(err)}`];
    }
  }

  private nodeInformer(
    options: WatchNodesOptions & { fieldSelector?: string },
  ): Informer<Watchable> {
    const selectors = [
      ...(options.hub !== undefined ? [`${Labels.Hub}=${options.hub}`] : []),
      ...(options.labelSelector !== undefined && options.labelSelector !== ''
        ? [options.labelSelector]
        : []),
    ];
    return new Informer<Watchable>({
      client: this.rest,
      type: LynqTypes.Node,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(selectors.length > 0 ? { labelSelector: selectors.join(',') } : {}),
      ...(options.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {}),
      logger: this.logger,
    });
  }

  private async get<T>(
    type: ResourceType,
    namespace: string,
    name: string,
    options: RequestOptions = {},
  ): Promise<T | undefined> {
    requireName('namespace', namespace);
    requireName('name', name);
    try {
      return await this.rest.request<T>({
        path: resourcePath(type, namespace, name),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async list<T>(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const page = await this.rest.request<{ items?: T[]; metadata?: { continue?: string } }>({
        path: resourcePath(type, namespace),
        query: {
          limit: 500,
          continue: next,
          labelSelector: options.labelSelector !== '' ? options.labelSelector : undefined,
        },
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
      // Items of a list carry no apiVersion/kind; callers expect whole objects.
      for (const item of page.items ?? [])
        items.push({ apiVersion: API_VERSION, kind: type.kind, ...item } as T);
      next = page.metadata?.continue || undefined;
    } while (next !== undefined);
    return items;
  }

  private async apply<T>(type: ResourceType, obj: unknown, options: ApplyOptions = {}): Promise<T> {
    const body = applyBody(type, obj);
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(type, body.metadata.namespace, body.metadata.name),
      contentType: 'application/apply-patch+yaml',
      query: {
        fieldManager: this.fieldManager,
        force: options.force === true ? true : undefined,
        dryRun: options.dryRun === true ? 'All' : undefined,
      },
      body,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }

  private async delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    requireName('namespace', namespace);
    requireName('name', name);
    try {
      await deleteObject(
        this.rest,
        type,
        { namespace, name, ...(options.uid !== undefined ? { uid: options.uid } : {}) },
        options.signal,
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

function requireName(argument: string, value: string): void {
  if (typeof value !== 'string' || value === '')
    throw new InvalidArgumentError(argument, 'must be a non-empty name');
}

/**
 * The object as a server-side apply sends it: apiVersion and kind checked, server-set metadata and
 * status left out (status belongs to the operator; managedFields would be refused).
 */
function applyBody(
  type: ResourceType,
  obj: unknown,
): KubeObject & { metadata: { name: string; namespace: string } } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new InvalidArgumentError(type.kind, 'must be an object');
  const input = obj as Record<string, unknown>;
  if (input['apiVersion'] !== API_VERSION)
    throw new InvalidArgumentError(
      `${type.kind} apiVersion`,
      `must be "${API_VERSION}" (got ${JSON.stringify(input['apiVersion'] ?? null)})`,
    );
  if (input['kind'] !== type.kind)
    throw new InvalidArgumentError(
      `${type.kind} kind`,
      `must be "${type.kind}" (got ${JSON.stringify(input['kind'] ?? null)})`,
    );
  const meta = input['metadata'];
  if (typeof meta !== 'object' || meta === null)
    throw new InvalidArgumentError(`${type.kind} metadata`, 'is required');
  const metadata: Record<string, unknown> = { ...(meta as Record<string, unknown>) };
  for (const key of SERVER_METADATA) delete metadata[key];
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || name === '')
    throw new InvalidArgumentError(`${type.kind} metadata.name`, 'is required');
  if (typeof namespace !== 'string' || namespace === '')
    throw new InvalidArgumentError(`${type.kind} ${name}: metadata.namespace`, 'is required');
  const { status: _status, ...rest } = input;
  return { ...rest, metadata: { ...metadata, name, namespace } } as KubeObject & {
    metadata: { name: string; namespace: string };
  };
}
