// Events, with repeats suppressed: a reconcile that finds the same problem again (a conflict, a
// render error) records nothing new, so an idle operator writes no events.
import { EventReasons, type ParseResult } from '@lynq/api';
import type { PlanEvent } from '@lynq/plan';
import type { EventRecorder, EventType, KubeObject } from '@lynq/runtime';

export class Events {
  /** Object (`kind/namespace/name`) → what was last said under each topic. */
  private readonly said = new Map<string, Map<string, string>>();

  constructor(private readonly recorder: Pick<EventRecorder, 'event' | 'flush'>) {}

  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.recorder.event(obj, type, reason, message);
  }

  plan(event: PlanEvent): void {
    this.recorder.event(objectOf(event), event.type, event.reason, event.message);
  }

  /** A plan's event, through onChange under `topic` (its regarding object is the subject). */
  planOnChange(event: PlanEvent, topic: string): void {
    this.onChange(objectOf(event), topic, event.type, event.reason, event.message);
  }

  /**
   * Records the event unless the last one under `topic` for this object said the same thing.
   * `topic` groups what replaces what, e.g. a resource id: a new message replaces the old.
   */
  onChange(obj: KubeObject, topic: string, type: EventType, reason: string, message: string): void {
    const key = keyOf(obj);
    let topics = this.said.get(key);
    if (topics === undefined) this.said.set(key, (topics = new Map()));
    const text = `${type}/${reason}/${message}`;
    if (topics.get(topic) === text) return;
    topics.set(topic, text);
    this.recorder.event(obj, type, reason, message);
  }

  /**
   * Whether a Lynq object parsed; if not, one InvalidSpec Warning on it listing every field
   * error (said again only when the errors change).
   */
  parsed<T>(
    obj: KubeObject,
    result: ParseResult<T>,
  ): result is Extract<ParseResult<T>, { ok: true }> {
    if (result.ok) {
      this.clear(obj, 'spec');
      return true;
    }
    const detail = result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    this.onChange(
      obj,
      'spec',
      'Warning',
      EventReasons.InvalidSpec,
      `invalid ${obj.kind}: ${detail}`,
    );
    return false;
  }

  /** The problem under `topic` is gone: the next occurrence is news again. */
  clear(obj: KubeObject, topic: string): void {
    this.said.get(keyOf(obj))?.delete(topic);
  }

  /** The object is gone: forget what was said about it. */
  forget(kind: string, namespace: string | undefined, name: string): void {
    this.said.delete(`${kind}/${namespace ?? ''}/${name}`);
  }

  flush(): Promise<void> {
    return this.recorder.flush();
  }
}

const keyOf = (obj: KubeObject) =>
  `${obj.kind ?? ''}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;

function objectOf({ regarding }: PlanEvent): KubeObject {
  return {
    apiVersion: regarding.apiVersion,
    kind: regarding.kind,
    metadata: { name: regarding.name, namespace: regarding.namespace, uid: regarding.uid },
  };
}
