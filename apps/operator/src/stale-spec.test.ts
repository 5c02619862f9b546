import { describe, expect, it } from 'vitest';
import type { LynqForm } from '@lynq/api';
import { StaleSpecWait } from './stale-spec.js';

const formAt = (generation: number, maxSkew?: number) =>
  ({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'ns', generation },
    spec: { hubId: 'h', ...(maxSkew !== undefined ? { rollout: { maxSkew } } : {}) },
  }) as unknown as LynqForm;

function clocked(maxWaitMs = 30_000) {
  let t = 1_000;
  return { wait: new StaleSpecWait(maxWaitMs, () => t), advance: (ms: number) => (t += ms) };
}

describe('StaleSpecWait', () => {
  it('applies a node whose copy is the form’s generation (or newer than the cache) at once', () => {
    const { wait } = clocked();
    expect(wait.waitMs('n', '3', formAt(3))).toBe(0);
    expect(wait.waitMs('n', '4', formAt(3))).toBe(0);
    expect(wait.size).toBe(0);
  });

  it('holds a node whose copy is older than its form, for at most maxWaitMs', () => {
    const { wait, advance } = clocked(30_000);
    expect(wait.waitMs('n', '2', formAt(3))).toBe(30_000);
    advance(10_000);
    expect(wait.waitMs('n', '2', formAt(3))).toBe(20_000);
    advance(20_000);
    // The hub never brought the new copy: apply what the node has.
    expect(wait.waitMs('n', '2', formAt(3))).toBe(0);
  });

  it('a new copy ends the wait; a further form change starts a new one', () => {
    const { wait, advance } = clocked(30_000);
    wait.waitMs('n', '2', formAt(3));
    advance(5_000);
    expect(wait.waitMs('n', '3', formAt(3))).toBe(0);
    expect(wait.size).toBe(0);
    expect(wait.waitMs('n', '3', formAt(4))).toBe(30_000);
  });

  it('a form changed again while waiting restarts the wait for the newest generation', () => {
    const { wait, advance } = clocked(30_000);
    wait.waitMs('n', '2', formAt(3));
    advance(25_000);
    expect(wait.waitMs('n', '2', formAt(4))).toBe(30_000);
  });

  it('never holds nodes of a paced rollout (maxSkew), nodes without the annotation, or without a form', () => {
    const { wait } = clocked();
    expect(wait.waitMs('n', '2', formAt(3, 1))).toBe(0);
    expect(wait.waitMs('n', undefined, formAt(3))).toBe(0);
    expect(wait.waitMs('n', 'x', formAt(3))).toBe(0);
    expect(wait.waitMs('n', '2', undefined)).toBe(0);
  });
});
