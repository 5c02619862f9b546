/**
 * What a work queue reports. The Prometheus implementation (workqueue_* metrics) lives in
 * metrics.ts; the default does nothing.
 */
export interface QueueMetrics {
  /** A key entered the queue (workqueue_adds_total). */
  added(): void;
  /** Keys waiting to be processed (workqueue_depth). */
  depth(n: number): void;
  /** Time a key waited between being queued and handed to a worker (workqueue_queue_duration_seconds). */
  queued(ms: number): void;
  /** Time a worker held a key (workqueue_work_duration_seconds). */
  worked(ms: number): void;
  /** A key was requeued through the rate limiter (workqueue_retries_total). */
  retried(): void;
}

export const noopQueueMetrics: QueueMetrics = {
  added() {},
  depth() {},
  queued() {},
  worked() {},
  retried() {},
};
