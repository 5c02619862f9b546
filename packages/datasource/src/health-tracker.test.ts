import { describe, expect, it } from 'vitest';
import { DatasourceError } from './errors.js';
import { HealthTracker } from './health-tracker.js';

describe('HealthTracker', () => {
  it('tracks successes, failures and the watch state', () => {
    let now = Date.UTC(2026, 0, 1);
    const health = new HealthTracker(() => new Date(now));
    expect(health.snapshot()).toEqual({ state: 'unknown', consecutiveFailures: 0 });
    health.setWatch('listening');
    health.failed(new DatasourceError({ code: 'AUTH_FAILED', message: 'denied' }));
    now += 1000;
    health.failed(new Error('plain'));
    expect(health.snapshot()).toEqual({
      state: 'failing',
      consecutiveFailures: 2,
      watch: 'listening',
      lastError: { code: 'QUERY_FAILED', message: 'plain', at: '2026-01-01T00:00:01.000Z' },
    });
    health.succeeded();
    expect(health.snapshot()).toEqual({
      state: 'ok',
      consecutiveFailures: 0,
      watch: 'listening',
      lastSuccessAt: '2026-01-01T00:00:01.000Z',
    });
    const copy = health.snapshot();
    copy.consecutiveFailures = 99;
    expect(health.snapshot().consecutiveFailures).toBe(0);
  });
});
