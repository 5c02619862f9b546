// The per-row workload, written once: the same function yields the LynqForm's templates (with
// `{{ .uid }}`) and the raw phase's objects (with the row's values), so both phases create
// objects of the same names and shapes.
import {
  API_VERSION,
  Annotations,
  Kinds,
  type LynqFormInput,
  type LynqHubInput,
  type TResourceInput,
} from '@lynq/api';
import { appliedHash, type KubeObject } from '@lynq/apply';

/** A template variable: in the form `{{ .uid }}`, in the raw phase the row's value. */
type Vars = (name: 'uid' | 'plan') => string;

export interface Row {
  uid: string;
  plan: string;
}

const PLANS = ['basic', 'pro', 'enterprise'] as const;

/** `prefix-00042`: DNS-safe, sorts in insertion order. */
export function rows(count: number, prefix: string): Row[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    uid: `${prefix}-${String(i).padStart(width, '0')}`,
    plan: PLANS[i % PLANS.length] ?? 'basic',
  }));
}

export const configMapName = (uid: string) => `${uid}-config`;

interface Entry {
  list: 'serviceAccounts' | 'configMaps' | 'deployments' | 'services' | 'ingresses';
  resource: TResourceInput;
}

/**
 * The five resources, in this order (`count` takes the first ones): ServiceAccount;
 * ConfigMap with a row column; Deployment of 1 replica depending on both and waited for;
 * Service depending on the Deployment; Ingress depending on the Service.
 */
function entries(v: Vars, count: number): Entry[] {
  const uid = v('uid');
  const app = `${uid}-app`;
  const all: Entry[] = [
    {
      list: 'serviceAccounts',
      resource: {
        id: 'sa',
        nameTemplate: `${uid}-sa`,
        spec: { apiVersion: 'v1', kind: 'ServiceAccount' },
      },
    },
    {
      list: 'configMaps',
      resource: {
        id: 'config',
        nameTemplate: `${uid}-config`,
        spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { tenant: uid, plan: v('plan') } },
      },
    },
    {
      list: 'deployments',
      resource: {
        id: 'app',
        nameTemplate: app,
        dependIds: ['sa', 'config'],
        waitForReady: true,
        spec: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          spec: {
            replicas: 1,
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels: { app } },
              spec: {
                serviceAccountName: `${uid}-sa`,
                containers: [
                  {
                    name: 'web',
                    image: 'registry.example/web:1',
                    ports: [{ containerPort: 8080 }],
                    envFrom: [{ configMapRef: { name: `${uid}-config` } }],
                  },
                ],
              },
            },
          },
        },
      },
    },
    {
      list: 'services',
      resource: {
        id: 'svc',
        nameTemplate: `${uid}-web`,
        dependIds: ['app'],
        spec: {
          apiVersion: 'v1',
          kind: 'Service',
          spec: {
            selector: { app },
            ports: [{ name: 'http', port: 80, targetPort: 8080 }],
          },
        },
      },
    },
    {
      list: 'ingresses',
      resource: {
        id: 'ingress',
        nameTemplate: `${uid}-web`,
        dependIds: ['svc'],
        spec: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          spec: {
            rules: [
              {
                host: `${uid}.bench.localhost`,
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: { service: { name: `${uid}-web`, port: { name: 'http' } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    },
  ];
  return all.slice(0, count);
}

/** True when the first `count` resources include the Deployment. */
export const hasDeployment = (count: number) => count >= 3;

export function formObject(options: {
  name: string;
  namespace: string;
  hubId: string;
  resources: number;
}): LynqFormInput {
  const spec: LynqFormInput['spec'] = { hubId: options.hubId };
  for (const { list, resource } of entries((name) => `{{ .${name} }}`, options.resources))
    (spec[list] ??= []).push(resource);
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Form,
    metadata: { name: options.name, namespace: options.namespace },
    spec,
  };
}

export function hubObject(options: {
  name: string;
  namespace: string;
  source: LynqHubInput['spec']['source'];
}): LynqHubInput {
  return {
    apiVersion: API_VERSION,
    kind: Kinds.Hub,
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      source: options.source,
      valueMappings: { uid: 'id', activate: 'active' },
      extraValueMappings: { plan: 'plan' },
    },
  };
}

/**
 * What the operator would apply for `row`: the rendered object with Lynq's bookkeeping
 * annotations (deletion policy, applied-hash, apply start time). Not the ownerReference to the
 * LynqNode: there is no node in the raw phase, and a reference to a missing owner would make the
 * garbage collector delete the object.
 */
export function rawObjects(row: Row, namespace: string, resources: number): KubeObject[] {
  const start = new Date().toISOString();
  return entries((name) => row[name], resources).map(({ resource }) => {
    // The object's apiVersion and kind are in every spec above.
    const obj = {
      ...resource.spec,
      metadata: { name: resource.nameTemplate, namespace },
    } as KubeObject;
    obj.metadata.annotations = {
      [Annotations.DeletionPolicy]: 'Delete',
      [Annotations.AppliedHash]: appliedHash(obj),
      [Annotations.ApplyStartTime]: start,
    };
    return obj;
  });
}
