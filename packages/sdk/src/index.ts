// @lynq/sdk: the builders, and the client's types. The client itself, the previews and the plugin
// kit have their own entries (@lynq/sdk/client, /render, /plan, /plugin), so that importing this
// one never loads a Kubernetes client.
export * from './builders/index.js';
export type {
  LynqClient,
  LynqClientOptions,
  KubeconfigOptions,
  RequestOptions,
  ListOptions,
  ApplyOptions,
  DeleteOptions,
  NodeEvent,
  WatchNodesOptions,
  WaitForNodeReadyOptions,
  NodeReadiness,
  NodeNotReadyError,
} from './client/index.js';
export { SdkError, InvalidArgumentError, type SdkErrorCode } from './errors.js';
