import type { TargetPolicy } from '@lynq/policy';
import type { Applier } from '@lynq/apply';
import type { RenderHost } from '@lynq/render/host';
import { Resources } from '@lynq/api';
import {
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

// Where the three Lynq kinds live in the API: @lynq/api's Resources, the one table of them.
export const HubType = Resources.Hub;
export const FormType = Resources.Form;
export const NodeType = Resources.Node;
