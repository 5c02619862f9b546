import type { ReconcileContext } from '@lynq/runtime';
import { describe, expect, it } from 'vitest';
import { ProgressPacing } from './pacing.js';

const rc = {} as ReconcileContext; // the timed reconcilers below do not read it
const req = { namespace: 'ns', name: 'hub' };

describe('ProgressPacing', () => {
  it('waits the minimum for an object never reconciled, and a multiple of its cost after', async () => {
    const pacing = new ProgressPacing({ minMs: 50, maxMs: 1000, factor: 4 });
    expect(pacing.delayMs(req)).toBe(50);
    const slow = pacing.timed(() => new Promise<void>((r) => setTimeout(r, 60)));
    await slow(req, rc);
    const delay = pacing.delayMs(req);
    expect(delay).toBeGreaterThanOrEqual(4 * 55);
    expect(delay).toBeLessThanOrEqual(1000);
    expect(pacing.delayMs({ namespace: 'ns', name: 'other' })).toBe(50);
  });

  it('caps the wait, records failed reconciles too, and forgets', async () => {
    const pacing = new ProgressPacing({ minMs: 10, maxMs: 100, factor: 10 });
    const failing = pacing.timed(async () => {
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('boom');
    });
    await expect(failing(req, rc)).rejects.toThrow('boom');
    expect(pacing.delayMs(req)).toBe(100);
    pacing.forget(req);
    expect(pacing.delayMs(req)).toBe(10);
  });
});
