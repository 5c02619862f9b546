// The JSON the dashboard server sends: summaries computed on the server (status classification,
// counts, problem messages), so the browser only groups and draws. Types only: the UI imports
// this file too, and nothing here may pull server code into the bundle.

/** How a hub, form, node or resource is doing, as the colours of the UI say it. */
export type Health = 'ready' | 'failed' | 'pending' | 'skipped';

export interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface HubSummary {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  sourceType: string;
  syncInterval: string;
  health: Health;
  /** The Ready condition's message (datasource health). */
  message: string;
  /** When the datasource last became healthy (Ready=True's transition time), if it is healthy. */
  healthySince?: string;
  desired: number;
  ready: number;
  failed: number;
  forms: number;
  /** The deletion guard's message while it holds deletions back. */
  guardHeld?: string;
}

export interface RolloutView {
  phase: string;
  totalNodes: number;
  updatedNodes: number;
  updatingNodes: number;
  readyUpdatedNodes: number;
  message?: string;
  startTime?: string;
}

export interface FormSummary {
  id: string;
  namespace: string;
  name: string;
  hubId: string;
  health: Health;
  message: string;
  valid: boolean;
  totalNodes: number;
  readyNodes: number;
  resources: number;
  rollout?: RolloutView;
}

export type ResourceState = 'applied' | 'skipped' | 'failed' | 'pending';

export interface ResourceSummary {
  id: string;
  kind: string;
  /** From appliedResourceRefs once applied. */
  name?: string;
  namespace?: string;
  state: ResourceState;
  /** The last warning about this resource (render, apply, readiness, conflict, skip). */
  message?: string;
}

export interface NodeSummary {
  id: string;
  namespace: string;
  name: string;
  hub: string;
  form: string;
  uid: string;
  health: Health;
  /** The reason of the condition that decided `health`. */
  reason: string;
  /** What is wrong (empty while ready). */
  message: string;
  ready: number;
  desired: number;
  failed: number;
  conflicted: number;
  skipped: number;
  resources: ResourceSummary[];
  deleting: boolean;
}

export interface OrphanSummary {
  /** `Kind/namespace/name`. */
  id: string;
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  /** The node it came from (`lynq.sh/node` label or `lynq.sh/orphaned-from` data). */
  node: string;
  reason: string;
  orphanedAt: string;
}

export interface Overview {
  hubs: { total: number; ready: number; failed: number };
  forms: { total: number; valid: number; invalid: number };
  nodes: { total: number; ready: number; failed: number; pending: number; skipped: number };
  rollouts: Array<{ form: string } & RolloutView>;
  guardHolds: Array<{ hub: string; message: string }>;
  datasources: Array<{
    hub: string;
    type: string;
    healthy: boolean;
    healthySince?: string;
    message: string;
  }>;
  orphans: number;
}

/** Everything the topology and overview need, in one answer. */
export interface Snapshot {
  /** The id of the last change included (SSE event id). */
  seq: number;
  synced: boolean;
  hubs: HubSummary[];
  forms: FormSummary[];
  nodes: NodeSummary[];
  orphans: OrphanSummary[];
  overview: Overview;
}

export type Collection = 'hubs' | 'forms' | 'nodes' | 'orphans';

/** Changes since the previous delta: whole summaries replaced, ids removed. */
export interface Delta {
  seq: number;
  upserts: {
    hubs: HubSummary[];
    forms: FormSummary[];
    nodes: NodeSummary[];
    orphans: OrphanSummary[];
  };
  deletes: Record<Collection, string[]>;
  overview: Overview;
}

export interface PolicyView {
  creationPolicy: string;
  deletionPolicy: string;
  conflictPolicy: string;
  patchStrategy: string;
  waitForReady: boolean;
  timeoutSeconds: number;
  skipOnDependencyFailure: boolean;
  ignoreFields: string[];
  readyWhen: string[];
}

export interface FormResourceView {
  id: string;
  kind: string;
  apiVersion: string;
  list: string;
  dependIds: string[];
  level: number;
  policies: PolicyView;
}

export interface FormDetail {
  summary: FormSummary;
  templateSyntax: string;
  resources: FormResourceView[];
  /** Dependency problems (cycle, unknown id); empty when the graph is sound. */
  graphErrors: string[];
  conditions: ConditionView[];
  maxSkew: number;
  nodes: string[];
  events: EventView[];
}

export interface HubDetail {
  summary: HubSummary;
  /** The datasource without secrets: passwords are references only, plugin config keys only. */
  datasource: Record<string, string>;
  valueMappings: Record<string, string>;
  extraValueMappings: Record<string, string>;
  deletionGuard?: { maxDeletePercent: number; minDeletions: number };
  conditions: ConditionView[];
  forms: string[];
  nodes: string[];
  events: EventView[];
}

export interface EventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastTimestamp: string;
}

export interface FieldManagerView {
  manager: string;
  operation: string;
  time?: string;
}

export interface NodeResourceView {
  id: string;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  state: ResourceState;
  dependIds: string[];
  /** Dependency level (0: no dependencies). */
  level: number;
  /** Live readiness, when the object could be read. */
  ready?: boolean;
  readiness: string;
  policies: PolicyView;
  /** Field managers other than Lynq's on the live object. */
  otherManagers: FieldManagerView[];
  /** The conflict message from the last ResourceConflict event naming this resource. */
  conflict?: string;
  /** Why it was skipped (the dependency event), when skipped. */
  skippedBecause?: string;
  /** The live object as YAML, managedFields dropped, Secret values redacted. */
  yaml?: string;
}

export interface NodeDetail {
  summary: NodeSummary;
  conditions: ConditionView[];
  resources: NodeResourceView[];
  events: EventView[];
  /** The LynqNode as YAML, Secret values redacted. */
  yaml: string;
}
