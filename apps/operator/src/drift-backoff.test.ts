import { describe, expect, it } from 'vitest';
import { DriftBackoff } from './drift-backoff.js';

function clocked() {
  let t = 1_000_000;
  const drift = new DriftBackoff({ baseMs: 1_000, maxMs: 8_000, quietMs: 60_000 }, () => t);
  return { drift, advance: (ms: number) => (t += ms) };
}

describe('DriftBackoff', () => {
  it('lets the first repair through and spaces the following ones 1, 2, 4, 8, 8 s apart', () => {
    const { drift, advance } = clocked();
    expect(drift.holdMs('cm', 'g1')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      drift.applied('cm', 'g1', true);
      waits.push(drift.holdMs('cm', 'g1'));
      advance(drift.holdMs('cm', 'g1'));
      expect(drift.holdMs('cm', 'g1')).toBe(0);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(drift.repairs('cm')).toBe(6);
  });

  it('counts down while the wait passes', () => {
    const { drift, advance } = clocked();
    drift.applied('cm', 'g1', true);
    drift.applied('cm', 'g1', true);
    advance(500);
    expect(drift.holdMs('cm', 'g1')).toBe(1_500);
  });

  it('new desired content (another version) is applied at once and starts a new streak', () => {
    const { drift } = clocked();
    for (let i = 0; i < 4; i++) drift.applied('cm', 'g1', true);
    expect(drift.holdMs('cm', 'g1')).toBe(8_000);
    expect(drift.holdMs('cm', 'g2')).toBe(0);
    drift.applied('cm', 'g2', true);
    expect(drift.repairs('cm')).toBe(1);
    expect(drift.holdMs('cm', 'g2')).toBe(1_000);
  });

  it('an apply that needed no repair ends the streak', () => {
    const { drift } = clocked();
    drift.applied('cm', 'g1', true);
    drift.applied('cm', 'g1', true);
    drift.applied('cm', 'g1', false);
    expect(drift.holdMs('cm', 'g1')).toBe(0);
    expect(drift.size).toBe(0);
  });

  it('a streak ends after a quiet period: a rare manual edit is repaired at once', () => {
    const { drift, advance } = clocked();
    for (let i = 0; i < 5; i++) drift.applied('cm', 'g1', true);
    advance(60_001);
    expect(drift.holdMs('cm', 'g1')).toBe(0);
    drift.applied('cm', 'g1', true);
    expect(drift.repairs('cm')).toBe(1);
  });

  it('keeps objects apart', () => {
    const { drift } = clocked();
    drift.applied('a', 'g1', true);
    drift.applied('a', 'g1', true);
    expect(drift.holdMs('a', 'g1')).toBe(2_000);
    expect(drift.holdMs('b', 'g1')).toBe(0);
  });

  it('bounds the repairs of a fight: at most 8 in two minutes with the defaults', () => {
    let t = 0;
    const drift = new DriftBackoff({}, () => t);
    let repairs = 0;
    // The other side changes the object back 100 ms after every repair.
    for (t = 0; t < 120_000; t += 100) {
      if (drift.holdMs('cm', 'g1') === 0) {
        drift.applied('cm', 'g1', true);
        repairs++;
      }
    }
    expect(repairs).toBeLessThanOrEqual(8);
    expect(repairs).toBeGreaterThanOrEqual(7);
  });
});
