import { describe, expect, it } from 'vitest';
import type {
  ChangeListener,
  Datasource,
  DatasourceContext,
  DatasourcePlugin,
  FetchResult,
} from './contract.js';
import { DatasourceError } from './errors.js';
import { HubDatasources, hubKeyOf, type HubSpecRef } from './hub-datasources.js';
import { DatasourceRegistry } from './registry.js';

/** A datasource over an array the test changes, as a table would; counts what happens to it. */
class Table {
  rows: FetchResult['rows'] = [];
  fail: Error | undefined;
  built: DatasourceContext[] = [];
  closed = 0;
  fetches = 0;
  listeners: ChangeListener[] = [];

  plugin(): DatasourcePlugin {
    return {
      contractVersion: 1,
      type: 'memory',
      create: (context) => {
        this.built.push(context);
        const ds: Datasource = {
          fetchRows: async () => {
            this.fetches++;
            if (this.fail) throw this.fail;
            return { rows: [...this.rows], problems: [], totalRows: this.rows.length };
          },
          watch: (listener) => {
            this.listeners.push(listener);
            return () => (this.listeners = this.listeners.filter((l) => l !== listener));
          },
          describe: () => ({
            type: 'memory',
            target: 'memory://t',
            watchable: true,
            health: { state: 'ok', consecutiveFailures: 0 },
          }),
          close: async () => void this.closed++,
        };
        return Promise.resolve(ds);
      },
    };
  }
}

const hub = (table = 't'): HubSpecRef => ({
  metadata: { namespace: 'ns', name: 'hub' },
  spec: {
    source: { type: 'memory', syncInterval: '30s', config: { table } },
    valueMappings: { uid: 'id', activate: 'on' },
  },
});

function setup(onChange?: (key: string) => void) {
  const table = new Table();
  const registry = new DatasourceRegistry({ builtins: false });
  registry.register(table.plugin());
  const sources = new HubDatasources({
    registry,
    secrets: () => () => Promise.reject(new Error('no secrets')),
    ...(onChange ? { onChange } : {}),
    debounceMs: 10,
  });
  return { table, sources };
}

const signal = new AbortController().signal;
const row = (uid: string) => ({ uid, activate: '1', active: true, extras: {} });

describe('HubDatasources', () => {
  it('builds one datasource per hub and reuses its last read between syncs', async () => {
    const { table, sources } = setup();
    table.rows = [row('a')];
    expect((await sources.rows(hub(), true, signal)).rows).toHaveLength(1);
    table.rows = [row('a'), row('b')];
    expect((await sources.rows(hub(), false, signal)).rows).toHaveLength(1);
    expect((await sources.rows(hub(), true, signal)).rows).toHaveLength(2);
    expect(table.built).toHaveLength(1);
    expect(table.fetches).toBe(2);
    expect((await sources.describe(hubKeyOf(hub())))?.target).toBe('memory://t');
  });

  it('keeps a failure a failure until the next read, and then recovers', async () => {
    const { table, sources } = setup();
    table.fail = new DatasourceError({ code: 'QUERY_FAILED', message: 'down' });
    await expect(sources.rows(hub(), true, signal)).rejects.toThrow('down');
    table.fail = undefined;
    await expect(sources.rows(hub(), false, signal)).rejects.toThrow('down');
    expect((await sources.rows(hub(), true, signal)).rows).toEqual([]);
  });

  it('rebuilds when the source changes and closes the old one', async () => {
    const { table, sources } = setup();
    await sources.rows(hub('t'), true, signal);
    await sources.rows(hub('u'), false, signal);
    expect(table.built).toHaveLength(2);
    expect(table.closed).toBe(1);
    await sources.forget(hubKeyOf(hub()));
    expect(table.closed).toBe(2);
    await sources.forget(hubKeyOf(hub()));
    expect(table.closed).toBe(2);
  });

  it('turns a burst of notifications into one callback and a fresh read', async () => {
    const woken: string[] = [];
    const { table, sources } = setup((key) => woken.push(key));
    await sources.rows(hub(), true, signal);
    await new Promise((r) => setImmediate(r));
    table.rows = [row('new')];
    for (let i = 0; i < 5; i++) table.listeners.forEach((l) => l({ kind: 'change' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(woken).toEqual(['ns/hub']);
    expect((await sources.rows(hub(), false, signal)).rows.map((r) => r.uid)).toEqual(['new']);
    await sources.close();
    expect(table.listeners).toEqual([]);
  });

  it('does not keep a datasource that could not be built', async () => {
    const registry = new DatasourceRegistry({ builtins: false });
    const sources = new HubDatasources({ registry, secrets: () => () => Promise.resolve('') });
    await expect(sources.rows(hub(), true, signal)).rejects.toThrow(/memory/);
    expect(await sources.describe(hubKeyOf(hub()))).toBeUndefined();
  });
});
