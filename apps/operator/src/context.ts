import type { Applier } from '@lynq/apply';
import type { RenderHost } from '@lynq/render/host';
import type { Informer, KubeObject, Logger, Manager, RestClient } from '@lynq/runtime';
import type { Events } from './events.js';
import type { LiveObjects } from './live-objects.js';
import type { LynqMetrics } from './lynq-metrics.js';

/** What the three controllers share: one client, one cache per kind, one render host. */
export interface OperatorContext {
  client: RestClient;
  manager: Manager;
  applier: Applier;
  host: RenderHost;
  /** One recorder per reporting component (reference §3.5). */
  events: Record<'hub' | 'form' | 'node' | 'applier', Events>;
  metrics: LynqMetrics;
  logger: Logger;
  hubs: Informer<KubeObject>;
  forms: Informer<KubeObject>;
  nodes: Informer<KubeObject>;
  /** Managed objects, read from watch caches where the node controller watches their kind. */
  live: LiveObjects;
}
