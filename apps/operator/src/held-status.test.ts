import { describe, expect, it } from 'vitest';
import { HeldStatuses, type NodeStatus } from './held-status.js';

const progressing = (ready: number): NodeStatus => ({ readyResources: ready, desiredResources: 5 });

function holder(delayMs: number) {
  let now = 1_000;
  const held = new HeldStatuses(delayMs, () => now);
  return { held, advance: (ms: number) => (now += ms) };
}

describe('HeldStatuses', () => {
  it('holds a pass under way for the delay from its first status, then lets it be written', () => {
    const { held, advance } = holder(15_000);
    expect(held.offer('ns/a', 'u1', progressing(2), true)).toEqual({
      write: false,
      wakeInMs: 15_000,
    });
    expect(held.get('ns/a', 'u1')).toEqual(progressing(2));
    advance(10_000);
    // A newer in-progress status replaces the held one; the clock keeps running from the first.
    expect(held.offer('ns/a', 'u1', progressing(3), true)).toEqual({
      write: false,
      wakeInMs: 5_000,
    });
    expect(held.get('ns/a', 'u1')).toEqual(progressing(3));
    advance(5_000);
    expect(held.offer('ns/a', 'u1', progressing(3), true)).toEqual({ write: true });
    expect(held.get('ns/a', 'u1')).toBeUndefined();
  });

  it('writes an outcome at once and forgets what it held', () => {
    const { held } = holder(15_000);
    held.offer('ns/a', 'u1', progressing(2), true);
    expect(held.offer('ns/a', 'u1', progressing(5), false)).toEqual({ write: true });
    expect(held.size).toBe(0);
  });

  it('holds nothing with a delay of 0', () => {
    const { held } = holder(0);
    expect(held.offer('ns/a', 'u1', progressing(2), true)).toEqual({ write: true });
    expect(held.size).toBe(0);
  });

  it('starts afresh for a node created again under the same name', () => {
    const { held, advance } = holder(15_000);
    held.offer('ns/a', 'old', progressing(2), true);
    advance(14_000);
    // The new node neither reads the old one's status nor inherits its clock.
    expect(held.get('ns/a', 'new')).toBeUndefined();
    expect(held.size).toBe(0);
    held.offer('ns/a', 'old', progressing(2), true);
    expect(held.offer('ns/a', 'new', progressing(1), true)).toEqual({
      write: false,
      wakeInMs: 15_000,
    });
  });

  it('keeps nodes apart, forgets one, and hands out what a selection holds', () => {
    const { held } = holder(15_000);
    held.offer('ns/a', 'ua', progressing(1), true);
    held.offer('ns/b', 'ub', progressing(2), true);
    held.offer('other/c', 'uc', progressing(3), true);
    held.forget('ns/b');
    expect(held.take((key) => key.startsWith('ns/'))).toEqual([
      { key: 'ns/a', uid: 'ua', status: progressing(1) },
    ]);
    expect(held.take()).toEqual([{ key: 'other/c', uid: 'uc', status: progressing(3) }]);
    expect(held.size).toBe(0);
  });

  it('forgets every key a selection names (a lost shard), whether or not its node is cached', () => {
    const { held } = holder(15_000);
    held.offer('ns/a', 'ua', progressing(1), true);
    held.offer('ns/b', 'ub', progressing(2), true);
    held.forgetWhere((key) => key === 'ns/a');
    expect(held.get('ns/a', 'ua')).toBeUndefined();
    expect(held.get('ns/b', 'ub')).toEqual(progressing(2));
  });
});
