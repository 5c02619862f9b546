// @lynq/sdk/client: a typed client for LynqHub, LynqForm and LynqNode objects.
export {
  LynqClient,
  DEFAULT_FIELD_MANAGER,
  type LynqClientOptions,
  type KubeconfigOptions,
  type RequestOptions,
  type ListOptions,
  type ApplyOptions,
  type DeleteOptions,
  type NodeEvent,
  type WatchNodesOptions,
  type WaitForNodeReadyOptions,
} from './lynq-client.js';
export { nodeReadiness, type NodeReadiness } from './node-readiness.js';
export { SdkError, InvalidArgumentError, NodeNotReadyError, type SdkErrorCode } from '../errors.js';
// The errors requests throw come from the runtime client; callers need them to tell 409 from 422.
export {
  KubeApiError,
  KubeTransportError,
  KubeconfigError,
  isNotFound,
  isConflict,
} from '@lynq/runtime';
