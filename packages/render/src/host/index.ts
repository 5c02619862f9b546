// @lynq/render/host: render LynqForms in separate, locked-down Node processes.
export {
  RenderHost,
  type RenderHostOptions,
  type RenderHostStats,
  type RenderNode,
  type RenderNodesOptions,
  type RenderOutcome,
  type RenderProcessStats,
} from './render-host.js';
export { RenderHostError, RenderHostOptionError, type RenderHostErrorCode } from './errors.js';
export type { ChildUsage as RenderProcessUsage } from './protocol.js';
