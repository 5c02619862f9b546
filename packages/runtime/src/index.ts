// Public API of @lynq/runtime. Everything else is internal.

// Work queue layers
export { WorkQueue, type AddOptions, type WorkQueueOptions } from './queue.js';
export { DelayingQueue } from './delaying-queue.js';
export { RateLimitingQueue, type RateLimitingQueueOptions } from './rate-limiting-queue.js';
export {
  ItemExponentialRateLimiter,
  TokenBucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
  type ExponentialBackoffOptions,
  type TokenBucketOptions,
  type ControllerRateLimiterOptions,
} from './rate-limiter.js';
export { type QueueMetrics, noopQueueMetrics } from './queue-metrics.js';

// Informers and cache
export {
  Informer,
  stripManagedFields,
  type InformerOptions,
  type InformerStats,
  type EventHandler,
} from './informer.js';
export {
  Store,
  NAMESPACE_INDEX,
  labelIndex,
  type IndexFunc,
  type ListOptions,
  type Lister,
} from './store.js';
export {
  matchesLabelSelector,
  formatLabelSelector,
  type LabelSelector,
  type LabelSelectorRequirement,
} from './label-selector.js';
export {
  Resources,
  resourceType,
  resourcePath,
  objectKey,
  splitKey,
  groupOf,
  type KubeObject,
  type KubeObjectMeta,
  type OwnerReference,
  type ResourceType,
} from './resource.js';
export {
  RestClient,
  type RestClientOptions,
  type RestRequest,
  type RestResponse,
  type RequestStats,
  type HttpMethod,
  type QueryValue,
} from './rest-client.js';
export {
  loadClusterCredentials,
  SERVICE_ACCOUNT_DIR,
  type ClusterCredentials,
  type CurrentCluster,
  type LoadClusterCredentialsOptions,
} from './kubeconfig.js';
export { KubeconfigError, ExecCredentialError } from './kubeconfig-error.js';
export { Backoff, type BackoffOptions } from './backoff.js';

// Controllers
export {
  Controller,
  requestKey,
  type ControllerOptions,
  type Request,
  type Result,
  type Reconciler,
  type ReconcileContext,
} from './controller.js';
export {
  ControllerBuilder,
  type RegisterOptions,
  ownerRequests,
  requestFor,
  requestsFromLabels,
  type MapFunc,
  type WatchOptions,
  type InformerSource,
} from './controller-builder.js';
export {
  generationChanged,
  labelsChanged,
  annotationsChanged,
  resourceVersionChanged,
  ignoreStatusOnlyChanges,
  and,
  or,
  not,
  type Predicate,
} from './predicates.js';
export {
  Manager,
  type ManagerOptions,
  type ManagerLeaderElection,
  type ManagerSharding,
  type StopReason,
} from './manager.js';

// Sharding: objects spread over replicas by shard Leases
export {
  ShardMetricNames,
  SHARD_COUNT_ANNOTATION,
  fnv1a32,
  shardOf,
  fairShare,
  planShards,
  memberLeaseName,
  shardLeaseName,
  type ShardTransition,
  type ShardView,
  type ShardPlan,
} from './shards.js';
export {
  ShardElector,
  defaultReplicaIdentity,
  type ShardElectorOptions,
  type ShardListener,
} from './shards-elector.js';

// Leader election, events, metrics, health
export { LeaderElector, type LeaderElectorOptions, type LeaseSpec } from './leader-elector.js';
export { formatMicroTime, formatTime } from './micro-time.js';
export {
  EventRecorder,
  MAX_EVENT_MESSAGE,
  type EventRecorderOptions,
  type EventType,
} from './event-recorder.js';
export { RuntimeMetrics, type ControllerMetrics } from './metrics.js';
export { RuntimeMetricNames, ReconcileResults, type ReconcileResultLabel } from './metric-names.js';
export { HealthServer, type HealthServerOptions, type Check } from './health-server.js';
export {
  MetricsServer,
  METRICS_PATH,
  refusal,
  type MetricsServerOptions,
} from './metrics-server.js';
export {
  DelegatedAuth,
  DelegatedAuthMetricNames,
  apiServerReviews,
  bearerToken,
  tokenReview,
  subjectAccessReview,
  userOfTokenReview,
  verdictOfSubjectAccessReview,
  type AccessDecision,
  type AccessReviews,
  type AuthorizationVerdict,
  type DelegatedAuthOptions,
  type UserInfo,
} from './delegated-auth.js';
export {
  ServingCertificate,
  CertificateError,
  selfSignedCertificate,
  describeCertificate,
  checkPemPair,
  type CertificateFiles,
  type PemPair,
  type SelfSignedOptions,
  type ServingCertificateOptions,
} from './serving-certificate.js';
export { ExpiringLru } from './expiring-lru.js';

// Writes a controller makes on its own objects
export {
  createObject,
  replaceObject,
  deleteObject,
  setFinalizer,
  hasFinalizer,
  patchStatus,
  isNotFound,
  isConflict,
  isAlreadyExists,
} from './object-ops.js';

// Program start-up and exit (flags, exit codes, stop signals)
export { runProgram, stopSignal, type ProgramSpec, type ProgramOutput } from './program.js';

// Time, logging, errors
export { type Clock, type Timer, realClock, sleep } from './clock.js';
// FakeClock: @lynq/runtime/testing (src/testing.ts).
export { type Logger, type LogLevel, type LogFields, jsonLogger, silentLogger } from './logger.js';
export {
  RuntimeError,
  KubeApiError,
  KubeTransportError,
  KubeUnexpectedResponseError,
  type KubeStatus,
  type StatusCause,
  WatchExpiredError,
  WatchDecodeError,
  InvalidOptionError,
  LeadershipLostError,
  type RuntimeErrorCode,
} from './errors.js';
