import type { TargetPolicy } from '@lynq/policy';
import type { Applier } from '@lynq/apply';
import type { RenderHost } from '@lynq/render/host';
import { API_VERSION, Kinds, Plurals } from '@lynq/api';
import {
  resourceType,
  type Informer,
  type KubeObject,
  type Logger,
  type Manager,
  type RestClient,
} from '@lynq/runtime';
import type { Events } from './events.js';
import type { LiveObjects } from './live-objects.js';
import type { LynqMetrics } from './lynq-metrics.js';
import type { RenderCache } from './render-cache.js';

/** What the three controllers share: one client, one cache per kind, one render host. */
export interface OperatorContext {
  client: RestClient;
  manager: Manager;
  applier: Applier;
  host: RenderHost;
  /** Node renders through the host, reusing earlier results. */
  renders: RenderCache;
  /**
   * Hub renders (names, labels, annotations of every row), apart from the nodes' much larger
   * renders so that provisioning thousands of nodes cannot push them out: every hub sync needs
   * all of them.
   */
  hubRenders: RenderCache;
  /** One recorder per reporting component (reference §3.5). */
  events: Record<'hub' | 'form' | 'node' | 'applier', Events>;
  metrics: LynqMetrics;
  logger: Logger;
  hubs: Informer<KubeObject>;
  forms: Informer<KubeObject>;
  nodes: Informer<KubeObject>;
  /** The operator's --namespace: it then writes only there (undefined: every namespace). */
  namespace: string | undefined;
  /** Where forms' resources may land (--target-namespaces, --protected-namespaces, --cluster-scoped-kinds). */
  targets: TargetPolicy;
  /** Managed objects, read from watch caches where the node controller watches their kind. */
  live: LiveObjects;
}

export const HubType = resourceType(API_VERSION, Kinds.Hub, Plurals.Hub);
export const FormType = resourceType(API_VERSION, Kinds.Form, Plurals.Form);
export const NodeType = resourceType(API_VERSION, Kinds.Node, Plurals.Node);
