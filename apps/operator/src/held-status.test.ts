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
    expect(held.offer('ns/a', progressing(2), true)).toEqual({ write: false, wakeInMs: 15_000 });
    expect(held.get('ns/a')).toEqual(progressing(2));
    advance(10_000);
    // A newer in-progress status replaces the held one; the clock keeps running from the first.
    expect(held.offer('ns/a', progressing(3), true)).toEqual({ write: false, wakeInMs: 5_000 });
    expect(held.get('ns/a')).toEqual(progressing(3));
    advance(5_000);
    expect(held.offer('ns/a', progressing(3), true)).toEqual({ write: true });
    expect(held.get('ns/a')).toBeUndefined();
  });

  it('writes an outcome at once and forgets what it held', () => {
    const { held } = holder(15_000);
    held.offer('ns/a', progressing(2), true);
    expect(held.offer('ns/a', progressing(5), false)).toEqual({ write: true });
    expect(held.size).toBe(0);
  });

  it('holds nothing with a delay of 0', () => {
    const { held } = holder(0);
    expect(held.offer('ns/a', progressing(2), true)).toEqual({ write: true });
    expect(held.size).toBe(0);
  });

  it('keeps nodes apart, forgets one, and drains the rest for the final write', () => {
    const { held } = holder(15_000);
    held.offer('ns/a', progressing(1), true);
    held.offer('ns/b', progressing(2), true);
    held.offer('ns/c', progressing(3), true);
    held.forget('ns/b');
    expect(held.drain()).toEqual([
      ['ns/a', progressing(1)],
      ['ns/c', progressing(3)],
    ]);
    expect(held.size).toBe(0);
  });
});
