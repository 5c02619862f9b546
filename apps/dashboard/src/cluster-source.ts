// Feeds the LiveState from the cluster: list+watch informers (@lynq/runtime) for the three Lynq
// kinds, their events, and the orphaned objects of the kinds Lynq forms create. Only GET and
// WATCH requests: the dashboard never writes.
import {
  API_VERSION,
  Labels,
  Resources,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import {
  Informer,
  resourceType,
  stripManagedFields,
  type KubeObject,
  type Logger,
  type ResourceType,
  type RestClient,
} from '@lynq/runtime';
import type { LiveState } from './live-state.js';
import type { KubeEvent } from './summaries.js';

export const HubType: ResourceType = Resources.Hub;
export const FormType: ResourceType = Resources.Form;
export const NodeType: ResourceType = Resources.Node;

/** Kinds searched for `lynq.sh/orphaned=true` (the typed lists of a form; metadata only). */
export const ORPHAN_KINDS: readonly ResourceType[] = [
  Resources.ConfigMap,
  Resources.Secret,
  Resources.Service,
  Resources.ServiceAccount,
  resourceType('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  Resources.Namespace,
  Resources.Deployment,
  Resources.StatefulSet,
  resourceType('apps/v1', 'DaemonSet', 'daemonsets'),
  Resources.Job,
  resourceType('batch/v1', 'CronJob', 'cronjobs'),
  resourceType('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  resourceType('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  resourceType('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  resourceType('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
];

export interface ClusterSourceOptions {
  client: RestClient;
  /** Kinds (of ORPHAN_KINDS) searched for orphans; default all. */
  orphanKinds?: readonly string[];
  state: LiveState;
  /** Only this namespace (default: all). */
  namespace?: string;
  logger: Logger;
}

export class ClusterSource {
  private readonly informers: Informer[] = [];
  /** Hubs, forms, nodes and events: what readiness waits for. */
  private readonly core: Informer[] = [];

  constructor(private readonly options: ClusterSourceOptions) {
    const { state } = options;
    // The API server validated these against the CRD schemas; the summaries read them defensively.
    const hub = (o: KubeObject) => o as unknown as LynqHub;
    const form = (o: KubeObject) => o as unknown as LynqForm;
    const node = (o: KubeObject) => o as unknown as LynqNode;
    this.add(HubType, {
      onAdd: (o) => state.upsertHub(hub(o)),
      onUpdate: (_, o) => state.upsertHub(hub(o)),
      onDelete: (o) => state.deleteHub(hub(o)),
    });
    this.add(FormType, {
      onAdd: (o) => state.upsertForm(form(o)),
      onUpdate: (_, o) => state.upsertForm(form(o)),
      onDelete: (o) => state.deleteForm(form(o)),
    });
    this.add(NodeType, {
      onAdd: (o) => state.upsertNode(node(o)),
      onUpdate: (_, o) => state.upsertNode(node(o)),
      onDelete: (o) => state.deleteNode(node(o)),
    });
    // Only events about Lynq objects: what the operator says about hubs, forms and nodes.
    this.add<KubeEvent>(
      Resources.Event,
      {
        onAdd: (o) => state.upsertEvent(o),
        onUpdate: (_, o) => state.upsertEvent(o),
        onDelete: (o) => state.deleteEvent(o),
      },
      { fieldSelector: `involvedObject.apiVersion=${API_VERSION}` },
    );
    const core = this.informers.length;
    this.core.push(...this.informers.slice(0, core));
    const wanted = new Set(options.orphanKinds ?? ORPHAN_KINDS.map((t) => t.kind));
    for (const type of ORPHAN_KINDS.filter((t) => wanted.has(t.kind))) {
      this.add<KubeObject>(
        type,
        {
          onAdd: (o) => state.upsertOrphan(o, type.kind, type.apiVersion),
          onUpdate: (_, o) => state.upsertOrphan(o, type.kind, type.apiVersion),
          onDelete: (o) => state.deleteOrphan(o, type.kind, type.apiVersion),
        },
        {
          labelSelector: `${Labels.Orphaned}=true`,
          metadataOnly: true,
          // Orphans of cluster-scoped kinds (Namespaces) are listed cluster-wide.
          clusterWide: !type.namespaced,
        },
      );
    }
  }

  private add<T extends KubeObject>(
    type: ResourceType,
    handler: {
      onAdd(o: T): void;
      onUpdate(old: T, o: T): void;
      onDelete(o: T): void;
    },
    extra: {
      fieldSelector?: string;
      labelSelector?: string;
      metadataOnly?: boolean;
      clusterWide?: boolean;
    } = {},
  ): void {
    const { clusterWide, ...selectors } = extra;
    const namespace = clusterWide === true ? undefined : this.options.namespace;
    const informer = new Informer<T>({
      client: this.options.client,
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...selectors,
      transform: stripManagedFields as (o: T) => T,
      logger: this.options.logger,
    });
    informer.addEventHandler(handler);
    this.informers.push(informer as unknown as Informer);
  }

  start(): void {
    for (const i of this.informers) i.start();
    // Orphan searches are optional (a viewer role may not list every kind): they don't gate readiness.
    void Promise.all(this.core.map((i) => i.waitForSync())).then(
      () => {
        this.options.state.synced = true;
        this.options.logger.log('info', 'informers synced', {
          informers: this.core.length,
          orphanSearches: this.informers.length - this.core.length,
        });
      },
      () => undefined, // stopped before the first list: nothing to report
    );
  }

  /** True once the Lynq objects and their events are listed. */
  synced(): boolean {
    return this.core.every((i) => i.hasSynced());
  }

  /** Why a core informer has not listed (readiness: the API server is unreachable or forbids). */
  problems(): string[] {
    return this.core
      .filter((i) => !i.hasSynced() && i.stats.lastError !== undefined)
      .map((i) => `${i.type.kind}: ${i.stats.lastError ?? ''}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}
