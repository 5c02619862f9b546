import { describe, expect, it } from 'vitest';
import { LiveState } from '../live-state.js';
import { node } from '../testdata/objects.js';
import type { Delta } from '../view-model.js';
import { Store } from './store.js';

describe('browser store', () => {
  it('takes a snapshot, then applies deltas in order, and tells its listeners once per batch', async () => {
    const server = new LiveState({ batchMs: 10_000 });
    server.upsertNode(node('a', 'web', 'ready'));
    server.flush();
    const deltas: Delta[] = [];
    server.subscribe((d) => deltas.push(d));
    const store = new Store();
    let notified = 0;
    store.subscribe(() => notified++);
    store.reset(server.snapshot());
    server.upsertNode(node('b', 'web', 'failed'));
    server.flush();
    server.deleteNode(node('a', 'web', 'ready'));
    server.flush();
    const before = store.state.nodes;
    for (const d of deltas) store.apply(d);
    await Promise.resolve();
    expect([...store.state.nodes.keys()]).toEqual(['ns/b']);
    expect(store.state.seq).toBe(3);
    expect(store.state.overview?.nodes).toMatchObject({ total: 1, failed: 1 });
    // A changed collection is a new Map (components compare by identity); the old one is untouched.
    expect(store.state.nodes).not.toBe(before);
    expect([...before.keys()]).toEqual(['ns/a']);
    expect(notified).toBe(1);
    server.close();
  });
});
