import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { DelayingQueue } from './delaying-queue.js';

describe('DelayingQueue', () => {
  it('adds a key only after its delay has passed', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('a', 50);
    expect(q.len()).toBe(0);
    expect(q.waitingLen()).toBe(1);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
  });

  it('adds immediately for a zero or negative delay', () => {
    const q = new DelayingQueue({ clock: new FakeClock() });
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });

  it('keeps the earliest of several delays for one key and adds it once', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 20);
    q.addAfter('a', 500);
    expect(q.waitingLen()).toBe(1);
    clock.advance(20);
    expect(q.len()).toBe(1);
    clock.advance(1000);
    expect(q.len()).toBe(1);
  });

  it('releases keys in order of their ready time', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    const delays = [70, 10, 40, 90, 30, 60, 20, 80, 50];
    delays.forEach((d, i) => q.addAfter(`k${i}`, d));
    const order: string[] = [];
    for (let t = 0; t < 100; t += 10) {
      clock.advance(10);
      for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) order.push(k);
    }
    const expected = delays
      .map((d, i) => ({ d, k: `k${i}` }))
      .sort((a, b) => a.d - b.d)
      .map((x) => x.k);
    expect(order).toEqual(expected);
  });

  it('uses a single timer for many waiting keys', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    for (let i = 0; i < 100; i++) q.addAfter(`k${i}`, 1000 - i);
    expect(clock.pendingTimers()).toBeLessThanOrEqual(1);
    clock.advance(1000);
    expect(q.len()).toBe(100);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('drops waiting keys on shutdown and ignores later addAfter', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue({ clock });
    q.addAfter('a', 10);
    q.shutDown();
    q.addAfter('b', 10);
    clock.advance(100);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
