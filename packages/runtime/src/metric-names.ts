/**
 * Metric names and labels of controller-runtime and client-go's workqueue, so dashboards and alerts
 * written for Go operators work unchanged.
 */
export const RuntimeMetricNames = {
  ReconcileTotal: 'controller_runtime_reconcile_total',
  ReconcileErrorsTotal: 'controller_runtime_reconcile_errors_total',
  ReconcileTimeSeconds: 'controller_runtime_reconcile_time_seconds',
  MaxConcurrentReconciles: 'controller_runtime_max_concurrent_reconciles',
  ActiveWorkers: 'controller_runtime_active_workers',
  WorkqueueDepth: 'workqueue_depth',
  WorkqueueAddsTotal: 'workqueue_adds_total',
  WorkqueueQueueDurationSeconds: 'workqueue_queue_duration_seconds',
  WorkqueueWorkDurationSeconds: 'workqueue_work_duration_seconds',
  WorkqueueRetriesTotal: 'workqueue_retries_total',
  LeaderElectionMasterStatus: 'leader_election_master_status',
} as const;

/** Values of the `result` label of controller_runtime_reconcile_total. */
export const ReconcileResults = {
  Success: 'success',
  Error: 'error',
  Requeue: 'requeue',
  RequeueAfter: 'requeue_after',
} as const;
export type ReconcileResultLabel = (typeof ReconcileResults)[keyof typeof ReconcileResults];
