import { z } from 'zod';
import {
  ConflictPolicy,
  CreationPolicy,
  DeletionPolicy,
  PatchStrategy,
  freeFormObject,
  int32,
} from './common.js';
import { stringMap } from './string-map.js';

/**
 * One templated Kubernetes object of a LynqForm (Go: TResource). The same shape is copied into
 * every LynqNode. Defaults are those of the Lynq CRD and its mutating webhook.
 */
export const TResource = z.strictObject({
  id: z.string().meta({ description: 'Unique id of this resource within the form.' }),
  spec: freeFormObject(
    'The whole Kubernetes object to create: apiVersion, kind, optional metadata, spec/data….',
  ),
  dependIds: z.array(z.string()).optional().meta({
    description: 'Ids of resources of the same form that must be applied (and ready) first.',
  }),
  skipOnDependencyFailure: z
    .boolean()
    .default(true)
    .meta({ description: 'Skip this resource when a dependency failed.' }),
  creationPolicy: CreationPolicy.default('WhenNeeded'),
  deletionPolicy: DeletionPolicy.default('Delete'),
  conflictPolicy: ConflictPolicy.default('Stuck'),
  nameTemplate: z.string().optional().meta({ description: 'Template for metadata.name.' }),
  targetNamespace: z
    .string()
    .optional()
    .meta({ description: 'Namespace to create the object in (templatable); default: the node’s.' }),
  labelsTemplate: stringMap('Templates for labels (key → template).').optional(),
  annotationsTemplate: stringMap('Templates for annotations (key → template).').optional(),
  waitForReady: z
    .boolean()
    .default(true)
    .meta({ description: 'Wait for readiness before dependents are applied.' }),
  timeoutSeconds: int32()
    .min(1)
    .max(3600)
    .default(300)
    .meta({ description: 'Readiness timeout in seconds.' }),
  patchStrategy: PatchStrategy.default('apply'),
  ignoreFields: z.array(z.string()).optional().meta({
    description: 'JSONPath expressions of fields kept as they are live (WhenNeeded only).',
  }),
  readyWhen: z.array(z.string()).optional().meta({
    description: 'CEL expressions over `self` (the live object); all must be true for ready.',
  }),
});
export type TResource = z.infer<typeof TResource>;
export type TResourceInput = z.input<typeof TResource>;

/**
 * The 16 resource lists of a form and a node, in the order Lynq walks them (graph order).
 */
export const RESOURCE_LIST_KEYS = [
  'serviceAccounts',
  'deployments',
  'statefulSets',
  'daemonSets',
  'services',
  'ingresses',
  'configMaps',
  'secrets',
  'persistentVolumeClaims',
  'jobs',
  'cronJobs',
  'podDisruptionBudgets',
  'networkPolicies',
  'horizontalPodAutoscalers',
  'namespaces',
  'manifests',
] as const;
export type ResourceListKey = (typeof RESOURCE_LIST_KEYS)[number];

/** The kind each typed list is meant for (`manifests` takes any kind). */
export const LIST_KINDS: Readonly<Record<ResourceListKey, string | undefined>> = {
  serviceAccounts: 'ServiceAccount',
  deployments: 'Deployment',
  statefulSets: 'StatefulSet',
  daemonSets: 'DaemonSet',
  services: 'Service',
  ingresses: 'Ingress',
  configMaps: 'ConfigMap',
  secrets: 'Secret',
  persistentVolumeClaims: 'PersistentVolumeClaim',
  jobs: 'Job',
  cronJobs: 'CronJob',
  podDisruptionBudgets: 'PodDisruptionBudget',
  networkPolicies: 'NetworkPolicy',
  horizontalPodAutoscalers: 'HorizontalPodAutoscaler',
  namespaces: 'Namespace',
  manifests: undefined,
};

/** Zod shape of the 16 lists; `listMap` adds the CRD list-map markers (forms only). */
export function resourceListsShape(listMap: boolean) {
  const list = () => {
    const base = z.array(TResource).optional();
    return listMap
      ? base.meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] })
      : base;
  };
  return Object.fromEntries(RESOURCE_LIST_KEYS.map((k) => [k, list()])) as {
    [K in ResourceListKey]: ReturnType<typeof list>;
  };
}

export type ResourceLists = { [K in ResourceListKey]?: TResource[] | undefined };
export type ResourceListsInput = { [K in ResourceListKey]?: TResourceInput[] | undefined };

/** A resource together with where it sits in its object. */
export interface ResourceEntry<R = TResource> {
  listKey: ResourceListKey;
  index: number;
  /** Field path of the resource, e.g. `spec.deployments[2]`. */
  path: string;
  resource: R;
}

/** Every resource of a form or node spec, in graph order. */
export function listResources<R>(spec: {
  [K in ResourceListKey]?: R[] | undefined;
}): ResourceEntry<R>[] {
  const out: ResourceEntry<R>[] = [];
  for (const listKey of RESOURCE_LIST_KEYS) {
    const list = spec[listKey];
    if (!Array.isArray(list)) continue;
    list.forEach((resource, index) => {
      out.push({ listKey, index, path: `spec.${listKey}[${index}]`, resource });
    });
  }
  return out;
}
