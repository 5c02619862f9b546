import { API_VERSION, Kinds, Plurals } from '@lynq/api';
import { resourceType, type ResourceType } from '@lynq/runtime';

/** The three Lynq collections, as the runtime's REST helpers address them. */
export const LynqTypes = {
  Hub: resourceType(API_VERSION, Kinds.Hub, Plurals.Hub),
  Form: resourceType(API_VERSION, Kinds.Form, Plurals.Form),
  Node: resourceType(API_VERSION, Kinds.Node, Plurals.Node),
} as const satisfies Record<string, ResourceType>;

/** core/v1 Events, where the operator says why a node's resource failed. */
export const CoreEvents: ResourceType = resourceType('v1', 'Event', 'events');
