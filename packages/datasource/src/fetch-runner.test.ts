import { describe, expect, it } from 'vitest';
import { DatasourceError } from './errors.js';
import { FetchRunner } from './fetch-runner.js';
import { HealthTracker } from './health-tracker.js';

const rows = { rows: [], problems: [] } as never;

function runner() {
  const health = new HealthTracker();
  let drops = 0;
  const fetches = new FetchRunner({
    hub: 'ns/hub',
    type: 'sql',
    server: 'SQL',
    health,
    toError: (err) =>
      new DatasourceError({ code: 'AUTH_FAILED', message: String(err), hub: 'ns/hub' }),
    dropConnections: () => drops++,
  });
  return { fetches, health, drops: () => drops };
}

describe('FetchRunner', () => {
  it('records success and maps driver errors, dropping connections on AUTH_FAILED', async () => {
    const { fetches, health, drops } = runner();
    await expect(
      fetches.run(new AbortController().signal, () => Promise.resolve(rows)),
    ).resolves.toBe(rows);
    expect(health.snapshot().state).toBe('ok');
    await expect(
      fetches.run(new AbortController().signal, () => Promise.reject(new Error('denied'))),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(health.snapshot()).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
    expect(drops()).toBe(1);
  });

  it('keeps health on ABORTED and refuses an aborted signal before querying', async () => {
    const { fetches, health } = runner();
    const ctl = new AbortController();
    ctl.abort();
    let called = false;
    await expect(
      fetches.run(ctl.signal, () => {
        called = true;
        return Promise.resolve(rows);
      }),
    ).rejects.toMatchObject({ code: 'ABORTED', hub: 'ns/hub', type: 'sql' });
    expect(called).toBe(false);
    expect(health.snapshot().state).toBe('unknown');
  });

  it('aborts fetches in flight on close and reports CLOSED, then refuses new ones', async () => {
    const { fetches, health } = runner();
    const pending = fetches.run(
      new AbortController().signal,
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('socket closed')));
        }),
    );
    fetches.close();
    await expect(pending).rejects.toMatchObject({
      code: 'CLOSED',
      message: 'the SQL datasource was closed during the fetch',
    });
    await expect(
      fetches.run(new AbortController().signal, () => Promise.resolve(rows)),
    ).rejects.toMatchObject({ code: 'CLOSED', message: 'the SQL datasource is closed' });
    expect(health.snapshot().state).toBe('unknown');
  });
});
