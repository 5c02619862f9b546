import { KubeConfig } from '@kubernetes/client-node';
import { Resources } from '@lynq/api';
import type { LynqForm, LynqHub, LynqNode } from '@lynq/api';
import {
  KubeApiError,
  RestClient,
  resourcePath,
  resourceType,
  type KubeObject,
  type ResourceType,
} from '@lynq/runtime';

/** The kinds the scenarios touch; anything else: `resourceType(apiVersion, kind, plural)`. */
export const Res = {
  Hub: Resources.Hub,
  Form: Resources.Form,
  Node: Resources.Node,
  ConfigMap: resourceType('v1', 'ConfigMap', 'configmaps'),
  Secret: resourceType('v1', 'Secret', 'secrets'),
  Service: resourceType('v1', 'Service', 'services'),
  ServiceAccount: resourceType('v1', 'ServiceAccount', 'serviceaccounts'),
  Pod: resourceType('v1', 'Pod', 'pods'),
  Event: resourceType('v1', 'Event', 'events'),
  Namespace: resourceType('v1', 'Namespace', 'namespaces', false),
  Deployment: resourceType('apps/v1', 'Deployment', 'deployments'),
  ReplicaSet: resourceType('apps/v1', 'ReplicaSet', 'replicasets'),
  Job: resourceType('batch/v1', 'Job', 'jobs'),
  Lease: resourceType('coordination.k8s.io/v1', 'Lease', 'leases'),
  Crd: resourceType(
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
  ),
} as const;

const known = new Map<string, ResourceType>(
  Object.values(Res).map((t) => [`${t.apiVersion}/${t.kind}`, t]),
);

/** The resource type of an object whose apiVersion and kind the harness knows (`Res`). */
export function typeOf(obj: { apiVersion?: string; kind?: string }): ResourceType {
  const t = known.get(`${obj.apiVersion ?? ''}/${obj.kind ?? ''}`);
  if (t === undefined)
    throw new Error(
      `the e2e harness does not know ${obj.apiVersion}/${obj.kind}; pass a resourceType(...) explicitly`,
    );
  return t;
}

/** What create and apply need of an object: its type and where it goes. */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [field: string]: unknown };
}

/** A core/v1 Event as the scenarios read it. */
export interface KubeEvent extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  source?: { component?: string };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The condition `type` of an object's status, if present. */
export function conditionOf(
  obj: { status?: { conditions?: readonly Condition[] | undefined } | undefined } | undefined,
  type: string,
): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only if the object still has this uid. */
  uid?: string;
}

/** True for an API answer with the given HTTP status. */
export function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

/**
 * The scenarios' view of the cluster, over the project's own client (@lynq/runtime RestClient):
 * plain JSON objects in and out, unknown fields kept, errors as KubeApiError.
 */
export class Kube {
  private constructor(readonly rest: RestClient) {}

  static async connect(kubeconfigPath: string): Promise<Kube> {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const rest = new RestClient(kc, { timeoutMs: 20_000, userAgent: 'lynq-e2e' });
    await rest.refreshCredentials();
    return new Kube(rest);
  }

  close(): void {
    this.rest.close();
  }

  /** The object, or undefined when it does not exist. */
  async get<T = KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    try {
      return await this.rest.request<T>({ path: resourcePath(type, namespace, name) });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** The object; a missing one is an error naming it. */
  async mustGet<T = KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T> {
    const obj = await this.get<T>(type, name, namespace);
    if (obj === undefined)
      throw new Error(
        `${type.kind} ${namespace !== undefined ? `${namespace}/` : ''}${name} not found`,
      );
    return obj;
  }

  async list<T = KubeObject>(
    type: ResourceType,
    namespace?: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    const res = await this.rest.request<{ items?: T[] }>({
      path: resourcePath(type, namespace),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    });
    return res.items ?? [];
  }

  /** POST; `dryRun` asks the server to validate and default without storing anything. */
  async create<T extends ObjectLike>(
    obj: T,
    options: { dryRun?: boolean; type?: ResourceType } = {},
  ): Promise<T> {
    const type = options.type ?? typeOf(obj);
    return this.rest.request<T>({
      method: 'POST',
      path: resourcePath(type, obj.metadata?.namespace),
      query: { dryRun: options.dryRun === true ? 'All' : undefined, fieldValidation: 'Strict' },
      body: obj,
    });
  }

  /** Server-Side Apply as `fieldManager` (another actor than the operator's `lynq-operator`). */
  async apply<T extends ObjectLike>(
    obj: T,
    options: { fieldManager: string; force?: boolean; type?: ResourceType },
  ): Promise<T> {
    const type = options.type ?? typeOf(obj);
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(type, obj.metadata?.namespace, obj.metadata?.name),
      query: {
        fieldManager: options.fieldManager,
        force: options.force === true ? true : undefined,
      },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /** RFC 7386 JSON merge patch; `status: true` patches the status subresource. */
  async mergePatch<T = KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: { status?: boolean; fieldManager?: string } = {},
  ): Promise<T> {
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(type, namespace, name) + (options.status === true ? '/status' : ''),
      query: { fieldManager: options.fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** RFC 6902 JSON patch (e.g. to remove one finalizer by index under a `test` guard). */
  async jsonPatch<T = KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    ops: readonly unknown[],
  ): Promise<T> {
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(type, namespace, name),
      body: ops,
      contentType: 'application/json-patch+json',
    });
  }

  /** PUT of the whole object (its resourceVersion guards against lost updates). */
  async update<T extends KubeObject>(obj: T, type: ResourceType = typeOf(obj)): Promise<T> {
    return this.rest.request<T>({
      method: 'PUT',
      path: resourcePath(type, obj.metadata.namespace, obj.metadata.name),
      body: obj,
    });
  }

  /** DELETE; false when the object was already gone. */
  async delete(
    type: ResourceType,
    name: string,
    namespace?: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    try {
      await this.rest.request({
        method: 'DELETE',
        path: resourcePath(type, namespace, name),
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          ...(options.propagationPolicy !== undefined
            ? { propagationPolicy: options.propagationPolicy }
            : {}),
          ...(options.uid !== undefined ? { preconditions: { uid: options.uid } } : {}),
        },
      });
      return true;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  /** True once the object is gone (404). */
  async gone(type: ResourceType, name: string, namespace?: string): Promise<boolean> {
    return (await this.get(type, name, namespace)) === undefined;
  }

  /** core/v1 Events about one object (by kind and name; by uid too when given). */
  async events(
    namespace: string,
    about: { kind: string; name: string; uid?: string },
  ): Promise<KubeEvent[]> {
    const selector = [`involvedObject.kind=${about.kind}`, `involvedObject.name=${about.name}`];
    if (about.uid !== undefined) selector.push(`involvedObject.uid=${about.uid}`);
    return this.list<KubeEvent>(Res.Event, namespace, { fieldSelector: selector.join(',') });
  }

  /** Events with `reason` about the object. */
  async eventsWithReason(
    namespace: string,
    about: { kind: string; name: string; uid?: string },
    reason: string,
  ): Promise<KubeEvent[]> {
    return (await this.events(namespace, about)).filter((e) => e.reason === reason);
  }

  // Lynq objects, typed.

  hub(name: string, namespace: string): Promise<LynqHub | undefined> {
    return this.get<LynqHub>(Res.Hub, name, namespace);
  }

  form(name: string, namespace: string): Promise<LynqForm | undefined> {
    return this.get<LynqForm>(Res.Form, name, namespace);
  }

  node(name: string, namespace: string): Promise<LynqNode | undefined> {
    return this.get<LynqNode>(Res.Node, name, namespace);
  }

  /** The LynqNodes of a hub (label `lynq.sh/hub`), sorted by name. */
  async nodesOf(hubName: string, namespace: string): Promise<LynqNode[]> {
    const nodes = await this.list<LynqNode>(Res.Node, namespace, {
      labelSelector: `lynq.sh/hub=${hubName}`,
    });
    return nodes.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  }

  /**
   * Removes every finalizer of the object (cleanup after a test: lets a namespace go when the
   * operator that would have removed them is no longer running).
   */
  async clearFinalizers(type: ResourceType, name: string, namespace?: string): Promise<void> {
    try {
      await this.mergePatch(type, name, namespace, { metadata: { finalizers: null } });
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
}
