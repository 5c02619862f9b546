import { describe, expect, it } from 'vitest';
import { LiveState } from './live-state.js';
import { event, form, hub, node } from './testdata/objects.js';
import type { Delta } from './view-model.js';

describe('LiveState', () => {
  it('batches changes into numbered deltas and sends only what changed', () => {
    const s = new LiveState({ batchMs: 10_000 });
    const deltas: Delta[] = [];
    s.subscribe((d) => deltas.push(d));
    s.upsertHub(hub('h', true));
    s.upsertForm(form('web', 'h'));
    for (let i = 0; i < 5; i++) s.upsertNode(node(`n${i}`, 'web', 'ready'));
    s.flush();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.seq).toBe(1);
    expect(deltas[0]!.upserts.nodes).toHaveLength(5);
    expect(deltas[0]!.overview.nodes.ready).toBe(5);
    // The same object again (a resync): nothing to send.
    s.upsertNode(node('n0', 'web', 'ready'));
    s.flush();
    expect(deltas).toHaveLength(1);
    s.upsertNode(node('n0', 'web', 'failed'));
    s.deleteNode(node('n1', 'web', 'ready'));
    s.flush();
    expect(deltas[1]).toMatchObject({ seq: 2, deletes: { nodes: ['ns/n1'] } });
    expect(deltas[1]!.upserts.nodes.map((n) => n.health)).toEqual(['failed']);
    s.close();
  });

  it('a node event updates the node summary', () => {
    const s = new LiveState({ batchMs: 10_000 });
    s.upsertNode(node('n', 'web', 'failed'));
    s.upsertEvent(
      event('n', 'ApplyFailed', 'Failed to apply resource app: denied', '2026-01-01T00:10:02Z'),
    );
    expect(s.summary('nodes', 'ns/n')?.message).toContain('denied');
    s.close();
  });

  it('replays missed deltas, or says a snapshot is needed', () => {
    const s = new LiveState({ batchMs: 10_000, history: 3 });
    for (let i = 0; i < 5; i++) {
      s.upsertNode(node(`n${i}`, 'web', 'ready'));
      s.flush();
    }
    expect(s.lastSeq).toBe(5);
    expect(s.deltasSince(5)).toEqual([]);
    expect(s.deltasSince(3)?.map((d) => d.seq)).toEqual([4, 5]);
    expect(s.deltasSince(2)?.map((d) => d.seq)).toEqual([3, 4, 5]);
    expect(s.deltasSince(1)).toBeUndefined(); // delta 2 is gone
    expect(s.deltasSince(9)).toBeUndefined(); // from the future (another server run)
    s.close();
  });

  it('keeps a bounded number of events per object', () => {
    const s = new LiveState({ eventsPerObject: 3 });
    for (let i = 0; i < 10; i++) s.upsertEvent(event('n', 'X', `m${i}`, `2026-01-01T00:00:0${i}Z`));
    expect(
      s
        .eventsOf('LynqNode', 'ns/n')
        .map((e) => e.message)
        .sort(),
    ).toEqual(['m7', 'm8', 'm9']);
    s.close();
  });
});
