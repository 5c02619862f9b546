// Builders for the LynqHubs and LynqForms of the scenarios: plain objects typed by @lynq/api's
// input types (defaults optional, as a user writes them), nothing added that Lynq's own
// e2e hubs and forms would not have except where a scenario asks for it.
import {
  API_VERSION,
  Kinds,
  type DeletionGuard,
  type LynqFormInput,
  type LynqHubInput,
  type TResourceInput,
} from '@lynq/api';
import { mysqlUrl, pgUrl } from '@lynq/testkit';

export type HubSourceInput = LynqHubInput['spec']['source'];

function parseDbUrl(url: string, defaultPort: number) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? defaultPort : Number(u.port),
    username: decodeURIComponent(u.username),
    database: u.pathname.replace(/^\//, ''),
  };
}

/**
 * A MySQL/MariaDB source for `table` on the test database (root, no password: `passwordRef` is
 * optional in Lynq's API, and leaving it out is how a password-less user is configured).
 */
export function mysqlSource(
  table: string,
  options: { syncInterval?: string; url?: string; host?: string; port?: number } = {},
): HubSourceInput {
  const db = parseDbUrl(options.url ?? mysqlUrl(), 3306);
  return {
    type: 'mysql',
    syncInterval: options.syncInterval ?? '2s',
    mysql: {
      host: options.host ?? db.host,
      port: options.port ?? db.port,
      username: db.username,
      database: db.database,
      table,
    },
  };
}

/** A PostgreSQL source (trust authentication: no passwordRef). */
export function postgresSource(
  schema: string,
  table: string,
  options: { syncInterval?: string; url?: string } = {},
): HubSourceInput {
  const db = parseDbUrl(options.url ?? pgUrl(), 5432);
  return {
    type: 'postgresql',
    syncInterval: options.syncInterval ?? '2s',
    postgresql: { ...db, schema, table },
  };
}

export interface HubOptions {
  name: string;
  namespace: string;
  source: HubSourceInput;
  /** Column of the uid; default `id`. */
  uid?: string;
  /** Column of the activate flag; default `active`. */
  activate?: string;
  hostOrUrl?: string;
  extraValueMappings?: Record<string, string>;
  deletionGuard?: Partial<DeletionGuard>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function hub(options: HubOptions): LynqHubInput {
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Hub,
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.labels !== undefined ? { labels: options.labels } : {}),
      ...(options.annotations !== undefined ? { annotations: options.annotations } : {}),
    },
    spec: {
      source: options.source,
      valueMappings: {
        uid: options.uid ?? 'id',
        activate: options.activate ?? 'active',
        ...(options.hostOrUrl !== undefined ? { hostOrUrl: options.hostOrUrl } : {}),
      },
      ...(options.extraValueMappings !== undefined
        ? { extraValueMappings: options.extraValueMappings }
        : {}),
      ...(options.deletionGuard !== undefined
        ? { deletionGuard: options.deletionGuard as DeletionGuard }
        : {}),
    },
  };
}

export type FormSpecInput = Omit<LynqFormInput['spec'], 'hubId'>;

export interface FormOptions extends FormSpecInput {
  name: string;
  namespace: string;
  hubId: string;
}

export function form(options: FormOptions): LynqFormInput {
  const { name, namespace, hubId, ...lists } = options;
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Form,
    metadata: { name, namespace },
    spec: { hubId, ...lists },
  };
}

/** The policy fields of a resource (everything but id and spec). */
export type ResourcePolicy = Omit<TResourceInput, 'id' | 'spec'>;

/** A ConfigMap resource named `{{ .uid }}-<id>` unless `nameTemplate` says otherwise. */
export function configMap(
  id: string,
  data: Record<string, string>,
  policy: ResourcePolicy = {},
  metadata: Record<string, unknown> = {},
): TResourceInput {
  return {
    id,
    nameTemplate: `{{ .uid }}-${id}`,
    ...policy,
    spec: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      data,
    },
  };
}

export interface WorkloadOptions {
  replicas?: number;
  image?: string;
  /** Container environment: changing it rolls the Deployment (a new ReplicaSet). */
  env?: Record<string, string>;
  labels?: Record<string, string>;
}

/**
 * A Deployment that kwok makes Available (pods scheduled to the fake nodes become Running and
 * Ready at once). The selector uses the uid so two nodes' Deployments never share pods.
 */
export function deployment(
  id: string,
  options: WorkloadOptions = {},
  policy: ResourcePolicy = {},
): TResourceInput {
  const app = `{{ .uid }}-${id}`;
  return {
    id,
    nameTemplate: app,
    ...policy,
    spec: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: {
        replicas: options.replicas ?? 1,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app, ...options.labels } },
          spec: {
            containers: [
              {
                name: 'app',
                image: options.image ?? 'registry.example/app:1',
                ...(options.env !== undefined
                  ? { env: Object.entries(options.env).map(([name, value]) => ({ name, value })) }
                  : {}),
              },
            ],
          },
        },
      },
    },
  };
}

/** A Job; kwok's stages make its pod Succeeded, so the Job completes. */
export function job(id: string, policy: ResourcePolicy = {}): TResourceInput {
  return {
    id,
    nameTemplate: `{{ .uid }}-${id}`,
    ...policy,
    spec: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'run', image: 'registry.example/once:1' }],
          },
        },
      },
    },
  };
}

/** Any object (`manifests` list), named `{{ .uid }}-<id>`. */
export function manifest(
  id: string,
  spec: Record<string, unknown>,
  policy: ResourcePolicy = {},
): TResourceInput {
  return { id, nameTemplate: `{{ .uid }}-${id}`, ...policy, spec };
}

/** Lynq's node name for a valid uid and form name: `{uid}-{form}`. */
export function nodeName(uid: string, formName: string): string {
  return `${uid}-${formName}`;
}
