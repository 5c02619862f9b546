// Reads hubs, nodes and the nodes' resources from the API server for the live table.
import {
  ConditionTypes,
  EventReasons,
  Kinds,
  Resources,
  listResources,
  type LynqHub,
  type LynqNode,
  type ResourceType,
} from '@lynq/api';
import {
  RestMapper,
  UnknownKindError,
  resourcePath,
  type KubeClient,
  type KubeObject,
} from '@lynq/apply';
import { parseAppliedResource } from '@lynq/plan';
import { checkReadiness } from '@lynq/policy';
import type { HubView, NodeView, ResourceView } from './table.js';

interface ObjectList<T> {
  items?: T[];
}

/** A resource of a node, with the apiVersion needed to find it. */
interface NodeResource {
  apiVersion: string | undefined;
  kind: string;
  namespace: string | undefined;
  name: string;
  id: string;
}

/** The fields of a core/v1 Event the table uses. */
interface Event {
  involvedObject: { uid?: string };
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
  metadata: { creationTimestamp?: string };
}

type Conditions = { type: string; status: string; reason?: string; message?: string }[];

function readyReason(conditions: Conditions | undefined) {
  return conditions?.find((c) => c.type === ConditionTypes.Ready)?.reason;
}

/** The Ready condition's message when it is not True. */
function readyProblem(conditions: Conditions | undefined) {
  const ready = conditions?.find((c) => c.type === ConditionTypes.Ready);
  return ready !== undefined && ready.status !== 'True' ? ready.message : undefined;
}

/**
 * The node's resources: `appliedResourceRefs` (ours, with apiVersions), else Lynq's
 * `appliedResources` (`Kind/namespace/name@id`) with apiVersions taken from the node's spec by id.
 */
function nodeResources(node: LynqNode): NodeResource[] {
  const status = node.status;
  if (status?.appliedResourceRefs !== undefined) {
    return status.appliedResourceRefs.map((r) => ({ ...r, namespace: r.namespace }));
  }
  const apiVersions = new Map<string, string>();
  for (const { resource } of listResources(node.spec ?? {})) {
    const apiVersion = resource.spec['apiVersion'];
    if (typeof apiVersion === 'string') apiVersions.set(resource.id, apiVersion);
  }
  return (status?.appliedResources ?? []).flatMap((entry) => {
    const parsed = parseAppliedResource(entry);
    if (parsed === undefined) return [];
    const { kind, namespace, name, id } = parsed;
    return [{ apiVersion: apiVersions.get(id), kind, namespace, name, id }];
  });
}

/** Reads the demo namespace: a handful of list requests per call (hubs, nodes, one per kind). */
export class ClusterState {
  private readonly mapper: RestMapper;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {
    this.mapper = new RestMapper(client);
  }

  private async list<T>(path: string, query?: Record<string, string>): Promise<T[]> {
    const res = await this.client.request({ method: 'GET', path, query });
    return (res.body as ObjectList<T> | undefined)?.items ?? [];
  }

  private lynqPath(type: ResourceType): string {
    return resourcePath(type, this.namespace);
  }

  async read(): Promise<{ hubs: HubView[]; nodes: NodeView[] }> {
    const [hubs, nodes, warnings] = await Promise.all([
      this.list<LynqHub>(this.lynqPath(Resources.Hub)),
      this.list<LynqNode>(this.lynqPath(Resources.Node)),
      this.nodeWarnings(),
    ]);
    const resources = new Map(nodes.map((n) => [n, nodeResources(n)]));
    const live = await this.liveObjects([...resources.values()].flat());
    return {
      hubs: hubs.map((hub) => ({
        name: hub.metadata.name ?? '',
        desired: hub.status?.desired ?? 0,
        ready: hub.status?.ready ?? 0,
        failed: hub.status?.failed ?? 0,
        reason: readyReason(hub.status?.conditions),
        problem: readyProblem(hub.status?.conditions),
      })),
      nodes: nodes.map((node) => ({
        name: node.metadata.name ?? '',
        ready: node.status?.readyResources ?? 0,
        desired: node.status?.desiredResources ?? 0,
        failed: node.status?.failedResources ?? 0,
        reason: readyReason(node.status?.conditions),
        deleting: node.metadata.deletionTimestamp !== undefined,
        warning: warnings.get(node.metadata.uid ?? ''),
        resources: (resources.get(node) ?? []).map((r) => ({
          ...resourceView(r, live),
          skipped: node.status?.skippedResourceIds?.includes(r.id) === true,
        })),
      })),
    };
  }

  /**
   * The latest Warning event of each LynqNode, by node uid: the operator's events say which
   * resource failed and why, which the node's status does not.
   */
  private async nodeWarnings(): Promise<Map<string, string>> {
    const events = await this.list<Event>(
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/events`,
      { fieldSelector: `involvedObject.kind=${Kinds.Node},type=Warning` },
    );
    const when = (e: Event) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
    const latest = new Map<string, Event>();
    // Skipped resources are marked in the table; the failure that caused the skip says more.
    for (const e of events.filter((e) => e.reason !== EventReasons.DependencySkipped)) {
      const uid = e.involvedObject.uid ?? '';
      const seen = latest.get(uid);
      if (seen === undefined || when(e) >= when(seen)) latest.set(uid, e);
    }
    return new Map([...latest].map(([uid, e]) => [uid, `${e.reason ?? ''}: ${e.message ?? ''}`]));
  }

  /** Lists each (apiVersion, kind, namespace) collection once; keyed by objectKey(). */
  private async liveObjects(wanted: NodeResource[]): Promise<Map<string, KubeObject>> {
    const collections = new Map<string, { apiVersion: string; kind: string; namespace?: string }>();
    for (const { apiVersion, kind, namespace } of wanted) {
      if (apiVersion !== undefined) {
        collections.set(objectKey(apiVersion, kind, namespace, ''), {
          apiVersion,
          kind,
          namespace,
        });
      }
    }
    const live = new Map<string, KubeObject>();
    await Promise.all(
      [...collections.values()].map(async (r) => {
        try {
          const mapping = await this.mapper.resolve(r.apiVersion, r.kind);
          const path = resourcePath(mapping, r.namespace);
          // Items of a list carry no apiVersion and kind; readiness rules are chosen by them.
          for (const item of await this.list<KubeObject>(path)) {
            const obj = { ...item, apiVersion: r.apiVersion, kind: r.kind };
            live.set(
              objectKey(r.apiVersion, r.kind, item.metadata.namespace, item.metadata.name),
              obj,
            );
          }
        } catch (err) {
          // A kind the server does not serve: its resources show as not created.
          if (!(err instanceof UnknownKindError)) throw err;
        }
      }),
    );
    return live;
  }
}

function objectKey(
  apiVersion: string | undefined,
  kind: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
): string {
  return [apiVersion, kind, namespace, name].map((s) => s ?? '').join('\u0000');
}

function resourceView(r: NodeResource, live: Map<string, KubeObject>): ResourceView {
  const obj = live.get(objectKey(r.apiVersion, r.kind, r.namespace, r.name));
  if (obj === undefined) return { kind: r.kind, name: r.name, ready: undefined };
  const verdict = checkReadiness(obj);
  return { kind: r.kind, name: r.name, ready: verdict.ready, reason: verdict.reason };
}
