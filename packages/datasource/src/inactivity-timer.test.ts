import { describe, expect, it } from 'vitest';
import { InactivityTimer, queryTimeoutError } from './inactivity-timer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `timer` fires; rejects after `limitMs` instead of waiting forever. */
function expiry(ms: number, limitMs: number): { timer: InactivityTimer; fired: Promise<number> } {
  let fire!: (at: number) => void;
  const fired = new Promise<number>((resolve, reject) => {
    fire = resolve;
    const guard = setTimeout(
      () => reject(new Error(`the timer did not fire within ${limitMs} ms`)),
      limitMs,
    );
    guard.unref();
  });
  return { timer: new InactivityTimer(ms, () => fire(Date.now())), fired };
}

describe('InactivityTimer', () => {
  it('does not fire while progress keeps coming, and fires once it stops', async () => {
    const { timer, fired } = expiry(100, 5000);
    const started = Date.now();
    // Progress every 20 ms for 400 ms: four times the limit in total, never 100 ms idle.
    while (Date.now() - started < 400) {
      timer.touch();
      await sleep(20);
    }
    expect(timer.expired).toBe(false);
    const idleFrom = Date.now();
    const at = await fired;
    expect(at - idleFrom).toBeGreaterThanOrEqual(60);
    expect(timer.expired).toBe(true);
  });

  it('never fires once stopped', async () => {
    const { timer, fired } = expiry(20, 5000);
    fired.catch(() => undefined); // it must not fire; this one is not awaited
    timer.stop();
    timer.stop();
    const other = expiry(60, 5000);
    await other.fired; // three times as long as the stopped timer
    expect(timer.expired).toBe(false);
  });

  it('describes the timeout as time without rows', () => {
    const err = queryTimeoutError({
      hub: 'ns/h',
      type: 'mysql',
      table: 'app.t',
      queryTimeoutMs: 500,
    });
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true, hub: 'ns/h' });
    expect(err.message).toBe(
      'reading app.t timed out: no row received for 500 ms (queryTimeoutMs)',
    );
  });
});
