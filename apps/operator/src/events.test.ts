import type { EventType, KubeObject } from '@lynq/runtime';
import { describe, expect, it } from 'vitest';
import { Events } from './events.js';

function sink() {
  const sent: string[] = [];
  const recorder = {
    event: (obj: KubeObject, type: EventType, reason: string, message: string) => {
      sent.push(`${obj.metadata.name}:${type}:${reason}:${message}`);
    },
    flush: async () => {},
  };
  return { sent, events: new Events(recorder) };
}

const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'n', namespace: 'ns', uid: 'u1' },
};

describe('Events', () => {
  it('says a standing problem once, and again only when its message changes', () => {
    const { sent, events } = sink();
    events.onChange(node, 'resource/app', 'Warning', 'ResourceConflict', 'field a');
    events.onChange(node, 'resource/app', 'Warning', 'ResourceConflict', 'field a');
    expect(sent).toHaveLength(1);
    events.onChange(node, 'resource/app', 'Warning', 'ResourceConflict', 'field b');
    expect(sent).toHaveLength(2);
  });

  it('says it again after the problem was cleared', () => {
    const { sent, events } = sink();
    events.onChange(node, 't', 'Warning', 'ApplyFailed', 'boom');
    events.clear(node, 't');
    events.onChange(node, 't', 'Warning', 'ApplyFailed', 'boom');
    expect(sent).toHaveLength(2);
  });

  it('keeps topics and objects apart, and forgets a deleted object', () => {
    const { sent, events } = sink();
    const other = { ...node, metadata: { name: 'm', namespace: 'ns', uid: 'u2' } };
    events.onChange(node, 'a', 'Warning', 'R', 'x');
    events.onChange(node, 'b', 'Warning', 'R', 'x');
    events.onChange(other, 'a', 'Warning', 'R', 'x');
    expect(sent).toHaveLength(3);
    events.forget('X', 'ns', 'n');
    events.onChange(node, 'a', 'Warning', 'R', 'x');
    expect(sent).toHaveLength(4);
  });

  it('records one-off events every time', () => {
    const { sent, events } = sink();
    events.record(node, 'Normal', 'TemplateAppliedSuccess', 'ok');
    events.record(node, 'Normal', 'TemplateAppliedSuccess', 'ok');
    expect(sent).toHaveLength(2);
  });
});
