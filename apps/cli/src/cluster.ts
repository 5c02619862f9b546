// The cluster side of plan, diff and status: one RestClient from the kubeconfig (the operator's
// loader), Lynq objects read through it, Secrets for datasource credentials, and the project's
// Applier for server-side dry-run applies. Nothing here writes: every apply is dryRun=All.
import {
  API_VERSION,
  Kinds as LynqKinds,
  Labels,
  Plurals,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import { Applier, KubeClient, type KubeObject as ManagedObject, type ObjectRef } from '@lynq/apply';
import { DatasourceRegistry, type SecretResolver } from '@lynq/datasource';
import { hubLabelValue } from '@lynq/plan';
import {
  RestClient,
  isNotFound,
  loadClusterCredentials,
  resourcePath,
  resourceType,
  type KubeObject,
} from '@lynq/runtime';

export const HubType = resourceType(API_VERSION, LynqKinds.Hub, Plurals.Hub);
export const FormType = resourceType(API_VERSION, LynqKinds.Form, Plurals.Form);
export const NodeType = resourceType(API_VERSION, LynqKinds.Node, Plurals.Node);
const SecretType = resourceType('v1', 'Secret', 'secrets');

/** The cluster could not be reached or refused a read: exit 1 with this message. */
export class ClusterError extends Error {
  readonly code = 'CLUSTER';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterError';
  }
}

export interface ClusterOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

export class Cluster {
  private constructor(
    readonly rest: RestClient,
    readonly applier: Applier,
  ) {}

  static async connect(options: ClusterOptions): Promise<Cluster> {
    let credentials;
    try {
      credentials = await loadClusterCredentials({
        ...(options.kubeconfig !== undefined ? { path: options.kubeconfig } : {}),
        ...(options.context !== undefined ? { context: options.context } : {}),
        ...(options.env ? { env: options.env as NodeJS.ProcessEnv } : {}),
      });
    } catch (err) {
      throw new ClusterError(`cannot load the kubeconfig: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const rest = new RestClient(credentials, { userAgent: 'lynq-cli', maxSockets: 16 });
    // The operator's field manager: a dry run then shows what the operator's own apply would do.
    return new Cluster(rest, new Applier(KubeClient.fromRestClient(rest)));
  }

  close(): void {
    this.rest.close();
  }

  async get<T = KubeObject>(
    type: typeof HubType,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.rest.request<T>({ path: resourcePath(type, namespace, name) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.failed(`read ${type.kind} ${namespace}/${name}`, err);
    }
  }

  async list<T = KubeObject>(
    type: typeof HubType,
    namespace: string | undefined,
    labelSelector?: string,
  ): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    try {
      do {
        const page = await this.rest.request<{ items?: T[]; metadata?: { continue?: string } }>({
          path: resourcePath(type, namespace),
          query: { limit: 500, continue: cont, labelSelector },
        });
        items.push(...(page.items ?? []));
        cont = page.metadata?.continue || undefined;
      } while (cont !== undefined);
    } catch (err) {
      throw this.failed(`list ${type.plural}${namespace ? ` in ${namespace}` : ''}`, err);
    }
    return items;
  }

  hubs = (namespace?: string) => this.list<LynqHub>(HubType, namespace);
  forms = (namespace?: string) => this.list<LynqForm>(FormType, namespace);

  /** The hub's nodes as the hub controller finds them: its label, or its controller ownerReference. */
  async nodesOfHub(hub: LynqHub): Promise<LynqNode[]> {
    const all = await this.list<LynqNode>(NodeType, hub.metadata.namespace);
    const label = hubLabelValue(hub.metadata.name ?? '');
    const uid = hub.metadata.uid;
    return all.filter(
      (n) =>
        n.metadata.labels?.[Labels.Hub] === label ||
        (uid !== undefined &&
          (n.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid)),
    );
  }

  /** A managed object, or null when it does not exist. */
  async object(ref: ObjectRef): Promise<ManagedObject | null> {
    try {
      return await this.applier.get(ref);
    } catch (err) {
      throw this.failed(
        `read ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`,
        err,
      );
    }
  }

  /** Reads one key of a Secret of `namespace` (never printed). */
  secrets(namespace: string): SecretResolver {
    return async ({ name, key }) => {
      let secret: { data?: Record<string, string> };
      try {
        secret = await this.rest.request({ path: resourcePath(SecretType, namespace, name) });
      } catch (err) {
        throw this.failed(`read Secret ${namespace}/${name}`, err);
      }
      const value = secret.data?.[key];
      if (value === undefined)
        throw new ClusterError(`Secret ${namespace}/${name} has no key ${JSON.stringify(key)}`);
      return Buffer.from(value, 'base64').toString('utf8');
    };
  }

  private failed(what: string, err: unknown): ClusterError {
    return new ClusterError(`cannot ${what}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/**
 * The datasource registry of the CLI: built-ins resolve from this package (it depends on the
 * mysql and postgres drivers), plugins by package name as the operator loads them.
 */
export async function datasourceRegistry(plugins: readonly string[]): Promise<DatasourceRegistry> {
  const registry = new DatasourceRegistry({ importer: (specifier) => import(specifier) });
  for (const pkg of plugins) await registry.loadPlugin(pkg);
  return registry;
}
