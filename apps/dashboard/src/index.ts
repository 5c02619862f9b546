// Public API of @lynq/dashboard for embedding or benchmarking the server; the program is `lynq-dashboard`.
export { DashboardServer, type DashboardServerOptions } from './server.js';
export { LiveState, type LiveStateOptions, type DeltaListener } from './live-state.js';
export { ClusterSource, ORPHAN_KINDS, type ClusterSourceOptions } from './cluster-source.js';
export { liveReader } from './live-reader.js';
export type { LiveReader } from './details.js';
export type * from './view-model.js';
