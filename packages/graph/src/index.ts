export { buildGraph, type BuildGraphResult } from './build-graph.js';
export { ResourceGraph, type GraphInput } from './resource-graph.js';
export {
  GraphError,
  formatCycle,
  type GraphErrorCode,
  type GraphErrorDetails,
} from './graph-error.js';
export { dependencyCheck } from './dependency-check.js';
