import type { EventReason } from '@lynq/api';

/** The object an event is about (an ObjectReference). */
export interface EventRegarding {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** An event to record, as data (reference §3.5). */
export interface PlanEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
  message: string;
  regarding: EventRegarding;
}

/** The reference of a Lynq object for events. */
export function regardingOf(obj: {
  apiVersion: string;
  kind: string;
  metadata: { name?: string | undefined; namespace?: string | undefined; uid?: string | undefined };
}): EventRegarding {
  const out: EventRegarding = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
  };
  if (obj.metadata.namespace) out.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) out.uid = obj.metadata.uid;
  return out;
}
