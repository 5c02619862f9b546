// Every name the cluster sees. Nothing else in the project spells these strings.
import type { ResourceType } from './kube-object.js';

export const GROUP = 'operator.lynq.sh';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/**
 * The kinds Lynq works with, by name: Lynq's own three and the built-in kinds the operator and its
 * tools address directly. Where each lives in the API (apiVersion, plural, scope): `Resources`.
 */
export const Kinds = {
  Hub: 'LynqHub',
  Form: 'LynqForm',
  Node: 'LynqNode',
  ConfigMap: 'ConfigMap',
  Secret: 'Secret',
  Service: 'Service',
  Pod: 'Pod',
  Namespace: 'Namespace',
  ServiceAccount: 'ServiceAccount',
  Deployment: 'Deployment',
  StatefulSet: 'StatefulSet',
  Job: 'Job',
  Lease: 'Lease',
  Event: 'Event',
} as const;

/** The kind names of Lynq's own resources. */
export type LynqKind = (typeof Kinds)['Hub' | 'Form' | 'Node'];

/** The plurals of Lynq's own resources (the CRD names are `<plural>.<group>`). */
export const Plurals = {
  Hub: 'lynqhubs',
  Form: 'lynqforms',
  Node: 'lynqnodes',
} as const;

function resource<const K extends string, const P extends string>(
  apiVersion: string,
  kind: K,
  plural: P,
  namespaced = true,
): {
  readonly apiVersion: string;
  readonly kind: K;
  readonly plural: P;
  readonly namespaced: boolean;
} {
  return { apiVersion, kind, plural, namespaced };
}

/**
 * Where each of `Kinds` lives in the API: what @lynq/runtime lists, watches and addresses
 * (`resourcePath(Resources.ConfigMap, ns, name)`). Any other kind: runtime's `resourceType()`.
 */
export const Resources = {
  Hub: resource(API_VERSION, Kinds.Hub, Plurals.Hub),
  Form: resource(API_VERSION, Kinds.Form, Plurals.Form),
  Node: resource(API_VERSION, Kinds.Node, Plurals.Node),
  ConfigMap: resource('v1', Kinds.ConfigMap, 'configmaps'),
  Secret: resource('v1', Kinds.Secret, 'secrets'),
  Service: resource('v1', Kinds.Service, 'services'),
  Pod: resource('v1', Kinds.Pod, 'pods'),
  Namespace: resource('v1', Kinds.Namespace, 'namespaces', false),
  ServiceAccount: resource('v1', Kinds.ServiceAccount, 'serviceaccounts'),
  Deployment: resource('apps/v1', Kinds.Deployment, 'deployments'),
  StatefulSet: resource('apps/v1', Kinds.StatefulSet, 'statefulsets'),
  Job: resource('batch/v1', Kinds.Job, 'jobs'),
  Lease: resource('coordination.k8s.io/v1', Kinds.Lease, 'leases'),
  Event: resource('v1', Kinds.Event, 'events'),
} as const satisfies Record<keyof typeof Kinds, ResourceType>;

/** Prefix owned by the operator on labels and annotations. */
export const LYNQ_PREFIX = 'lynq.sh/';

export const Labels = {
  /** On LynqNode: the hub that created it. */
  Hub: 'lynq.sh/hub',
  /** On LynqNode: the row uid. */
  Uid: 'lynq.sh/uid',
  /** On label-tracked managed objects: the owning LynqNode's name. */
  Node: 'lynq.sh/node',
  /** On label-tracked managed objects: the owning LynqNode's namespace. */
  NodeNamespace: 'lynq.sh/node-namespace',
  /** On retained objects whose node or template entry is gone. */
  Orphaned: 'lynq.sh/orphaned',
} as const;

export const Annotations = {
  // On LynqNode, written by the hub controller.
  HostOrUrl: 'lynq.sh/hostOrUrl',
  Activate: 'lynq.sh/activate',
  Extra: 'lynq.sh/extra',
  TemplateGeneration: 'lynq.sh/template-generation',
  HubId: 'lynq.sh/hubId',
  RolloutUpdateStart: 'lynq.sh/rollout-update-start',
  /** On LynqHub: the generation whose deletions an operator approved past the deletion guard. */
  ApproveDeletions: 'lynq.sh/approve-deletions',
  // On managed objects.
  DeletionPolicy: 'lynq.sh/deletion-policy',
  CreatedOnce: 'lynq.sh/created-once',
  AppliedHash: 'lynq.sh/applied-hash',
  ApplyStartTime: 'lynq.sh/apply-start-time',
  OrphanedAt: 'lynq.sh/orphaned-at',
  OrphanedReason: 'lynq.sh/orphaned-reason',
} as const;

export const OrphanReasons = {
  NodeDeleted: 'LynqNodeDeleted',
  RemovedFromTemplate: 'RemovedFromTemplate',
} as const;
export type OrphanReason = (typeof OrphanReasons)[keyof typeof OrphanReasons];

export const Finalizers = {
  Node: 'lynqnode.operator.lynq.sh/finalizer',
  Hub: 'lynq.sh/hub-finalizer',
} as const;

export const ConditionTypes = {
  Ready: 'Ready',
  Valid: 'Valid',
  Applied: 'Applied',
  Progressing: 'Progressing',
  Conflicted: 'Conflicted',
  Degraded: 'Degraded',
} as const;

export const HubReasons = {
  DatabaseConnected: 'DatabaseConnected',
  DatabaseConnectionFailed: 'DatabaseConnectionFailed',
} as const;

export const FormReasons = {
  ValidationPassed: 'ValidationPassed',
  ValidationFailed: 'ValidationFailed',
  AllNodesReady: 'AllNodesReady',
  NotAllNodesReady: 'NotAllNodesReady',
  NoNodes: 'NoNodes',
} as const;

export const NodeReasons = {
  // Ready
  Reconciled: 'Reconciled',
  ResourcesFailedAndConflicted: 'ResourcesFailedAndConflicted',
  ResourcesConflicted: 'ResourcesConflicted',
  ResourcesFailed: 'ResourcesFailed',
  NotAllResourcesReady: 'NotAllResourcesReady',
  VariablesBuildError: 'VariablesBuildError',
  DependencyError: 'DependencyError',
  SortError: 'SortError',
  // Progressing
  Reconciling: 'Reconciling',
  ReconcileComplete: 'ReconcileComplete',
  // Conflicted
  ResourceConflict: 'ResourceConflict',
  NoConflict: 'NoConflict',
  // Degraded
  ResourceFailuresAndConflicts: 'ResourceFailuresAndConflicts',
  ResourceFailures: 'ResourceFailures',
  ResourceConflicts: 'ResourceConflicts',
  ResourcesNotReady: 'ResourcesNotReady',
  DependencyCycle: 'DependencyCycle',
  TemplateRenderError: 'TemplateRenderError',
  Healthy: 'Healthy',
} as const;

export const EventReasons = {
  // On LynqHub
  DatabaseQueryFailed: 'DatabaseQueryFailed',
  TemplateRenderFailed: 'TemplateRenderFailed',
  RolloutThrottled: 'RolloutThrottled',
  NodeDeleting: 'NodeDeleting',
  NodeDeleted: 'NodeDeleted',
  NodeDeletionFailed: 'NodeDeletionFailed',
  CleanupFailed: 'CleanupFailed',
  RetainResourceProcessFailed: 'RetainResourceProcessFailed',
  /** Ours: a sync would delete more nodes than spec.deletionGuard allows. */
  DeletionGuardHeld: 'DeletionGuardHeld',
  /** Ours: the API server refused one LynqNode's create or update (the others went on). */
  NodeWriteFailed: 'NodeWriteFailed',
  // On LynqNode, from the hub controller
  TemplateApplied: 'TemplateApplied',
  DataUpdated: 'DataUpdated',
  RetainResourcePreserved: 'RetainResourcePreserved',
  // On LynqForm
  HubNotFound: 'HubNotFound',
  DuplicateResourceIDs: 'DuplicateResourceIDs',
  DependencyValidationFailed: 'DependencyValidationFailed',
  ValidationFailed: 'ValidationFailed',
  ValidationPassed: 'ValidationPassed',
  /** Ours: a rollout made no progress within spec.rollout.progressDeadlineSeconds. */
  RolloutFailed: 'RolloutFailed',
  // On LynqNode
  DependencySkipped: 'DependencySkipped',
  DependencyFailedButProceeding: 'DependencyFailedButProceeding',
  TemplateRenderError: 'TemplateRenderError',
  ResourceConflict: 'ResourceConflict',
  ApplyFailed: 'ApplyFailed',
  ReadinessTimeout: 'ReadinessTimeout',
  TemplateResourcesApplying: 'TemplateResourcesApplying',
  TemplateAppliedSuccess: 'TemplateAppliedSuccess',
  TemplateAppliedPartial: 'TemplateAppliedPartial',
  OrphanedResourceDeleted: 'OrphanedResourceDeleted',
  OrphanedResourceRetained: 'OrphanedResourceRetained',
  ResourceRetained: 'ResourceRetained',
  CleanupPartialFailure: 'CleanupPartialFailure',
  LynqNodeDeleted: 'LynqNodeDeleted',
  /** Ours: the API server holds a Lynq object the operator cannot read (on that object). */
  InvalidSpec: 'InvalidSpec',
  // On the managed object
  OrphanMarkersAdded: 'OrphanMarkersAdded',
  OrphanMarkersRemoved: 'OrphanMarkersRemoved',
} as const;
export type EventReason = (typeof EventReasons)[keyof typeof EventReasons];

/** Event sources (reporting components). */
export const EventSources = {
  Hub: 'lynqhub-controller',
  Form: 'lynqform-controller',
  Node: 'lynqnode-controller',
  Applier: 'lynq-operator',
} as const;

/** Controller names, used as metric and work-queue label values. */
export const ControllerNames = {
  Hub: 'lynqhub',
  Form: 'lynqform',
  Node: 'lynqnode',
} as const;

/** Lynq's SSA field manager. */
export const FIELD_MANAGER = 'lynq-operator';
export const LEADER_ELECTION_ID = 'f2130106.lynq.sh';
export const DEFAULT_NAMESPACE = 'lynq-system';

export const Metrics = {
  NodeReconcileDuration: 'lynqnode_reconcile_duration_seconds',
  NodeResourcesReady: 'lynqnode_resources_ready',
  NodeResourcesDesired: 'lynqnode_resources_desired',
  NodeResourcesFailed: 'lynqnode_resources_failed',
  NodeResourcesConflicted: 'lynqnode_resources_conflicted',
  NodeConditionStatus: 'lynqnode_condition_status',
  NodeConflictsTotal: 'lynqnode_conflicts_total',
  NodeDegradedStatus: 'lynqnode_degraded_status',
  HubDesired: 'hub_desired',
  HubReady: 'hub_ready',
  HubFailed: 'hub_failed',
  ApplyAttemptsTotal: 'apply_attempts_total',
  FormRolloutUpdatingNodes: 'lynqform_rollout_updating_nodes',
  FormRolloutPhase: 'lynqform_rollout_phase',
  FormRolloutProgress: 'lynqform_rollout_progress',
  /** Ours: requests this process sent to the API server, by method (idle: no writes). */
  RestClientRequestsTotal: 'lynq_rest_client_requests_total',
  /** Ours: admission requests the webhooks answered, by `kind`, `operation` and `allowed`. */
  AdmissionRequestsTotal: 'lynq_admission_requests_total',
  /** Ours: 1 while a hub's last datasource read succeeded, 0 while it fails; `hub`, `namespace`. */
  HubDatasourceUp: 'lynq_hub_datasource_up',
  /** Ours: when a hub last read its rows successfully (Unix seconds); `hub`, `namespace`. */
  HubLastSuccessfulSync: 'lynq_hub_last_successful_sync_timestamp_seconds',
  /** Ours: a hub's syncInterval in seconds (what "stale" is measured against); `hub`, `namespace`. */
  HubSyncInterval: 'lynq_hub_sync_interval_seconds',
  /** Ours: LynqNode deletions the deletion guard holds back in the last sync; `hub`, `namespace`. */
  HubDeletionsHeld: 'lynq_hub_deletions_held',
  /** Ours: rows whose hub-level templates (node name, labels) failed in the last sync. */
  HubRenderErrors: 'lynq_hub_render_errors',
  /** controller-runtime's webhook server metrics (label `webhook` = path), as Go dashboards read them. */
  WebhookRequestsTotal: 'controller_runtime_webhook_requests_total',
  WebhookRequestsInFlight: 'controller_runtime_webhook_requests_in_flight',
  WebhookLatencySeconds: 'controller_runtime_webhook_latency_seconds',
} as const;

/** Admission webhook paths and names. */
export const Webhooks = {
  MutateHubPath: '/mutate-operator-lynq-sh-v1-lynqhub',
  ValidateHubPath: '/validate-operator-lynq-sh-v1-lynqhub',
  MutateFormPath: '/mutate-operator-lynq-sh-v1-lynqform',
  ValidateFormPath: '/validate-operator-lynq-sh-v1-lynqform',
  MutateHubName: 'mlynqhub.kb.io',
  ValidateHubName: 'vlynqhub.kb.io',
  MutateFormName: 'mlynqform.kb.io',
  ValidateFormName: 'vlynqform.kb.io',
} as const;
