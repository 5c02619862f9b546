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

  it('records why the watch is reconnecting, and clears it once listening', () => {
    let now = Date.UTC(2026, 0, 1);
    const health = new HealthTracker(() => new Date(now));
    health.setWatch('listening');
    const refused = new DatasourceError({
      code: 'CONNECT_FAILED',
      message: 'cannot connect to PostgreSQL at db:5432: ECONNREFUSED',
    });
    health.watchFailed(refused);
    now += 1000;
    health.watchFailed(refused);
    health.setWatch('reconnecting');
    health.succeeded(); // a fetch succeeding says nothing about the watch connection
    expect(health.snapshot()).toMatchObject({
      watch: 'reconnecting',
      watchError: {
        code: 'CONNECT_FAILED',
        message: 'cannot connect to PostgreSQL at db:5432: ECONNREFUSED',
        at: '2026-01-01T00:00:01.000Z',
        consecutiveFailures: 2,
      },
    });
    health.setWatch('listening');
    expect(health.snapshot().watchError).toBeUndefined();
    health.watchFailed(new Error('boom'));
    expect(health.snapshot().watchError).toMatchObject({
      code: 'QUERY_FAILED',
      consecutiveFailures: 1,
    });
  });
});
