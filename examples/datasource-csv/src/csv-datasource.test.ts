import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatasourceError,
  DatasourceRegistry,
  type ChangeEvent,
  type DatasourceContext,
} from '@lynq/sdk/plugin';
import { assertDatasourceConformance } from '@lynq/sdk/plugin/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { datasourcePlugin } from './plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'lynq-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function context(
  config: Record<string, unknown>,
  extra?: Record<string, string>,
): Omit<DatasourceContext, 'resolveSecret'> {
  return {
    hub: { namespace: 'default', name: 'tenants' },
    source: { type: 'csv', syncInterval: '30s', config },
    valueMappings: { uid: 'id', activate: 'active' },
    extraValueMappings: extra,
  };
}

const create = (config: Record<string, unknown>, extra?: Record<string, string>) =>
  datasourcePlugin.create({
    ...context(config, extra),
    resolveSecret: () => Promise.reject(new Error('unused')),
  });

const fetch = (config: Record<string, unknown>, extra?: Record<string, string>) =>
  create(config, extra).then((ds) => ds.fetchRows(new AbortController().signal));

describe('csv datasource', () => {
  const tenants = file(
    'tenants.csv',
    'id,active,plan\nacme,1,gold\nglobex,0,\n"ünï, co",Yes,silver\ndup,1,a\ndup,1,b\n,1,none\n',
  );

  it('passes the conformance kit', async () => {
    await assertDatasourceConformance({
      plugin: datasourcePlugin,
      context: context({ path: tenants }, { planId: 'plan' }),
      expectedRows: [
        { uid: 'acme', activate: '1', active: true, extras: { planId: 'gold' } },
        { uid: 'globex', activate: '0', active: false, extras: { planId: '' } },
        { uid: 'ünï, co', activate: 'Yes', active: true, extras: { planId: 'silver' } },
      ],
      expectedProblems: [
        { code: 'DUPLICATE_UID', uid: 'dup' },
        { code: 'EMPTY_UID', uid: '' },
      ],
    });
  });

  it('loads by package name, as the operator does with --datasource-plugins', async () => {
    const registry = new DatasourceRegistry({ builtins: false });
    const plugin = await registry.loadPlugin('@lynq/example-datasource-csv');
    expect(plugin.type).toBe('csv');
    const ds = await registry.create({
      ...context({ path: tenants }),
      resolveSecret: () => Promise.reject(new Error('unused')),
    });
    expect((await ds.fetchRows(new AbortController().signal)).rows).toHaveLength(3);
    await ds.close();
  });

  it('rejects a bad config naming each field', async () => {
    await expect(create({ path: 'relative.csv', delimiter: '::', extra: 1 })).rejects.toMatchObject(
      {
        code: 'INVALID_CONFIG',
        message:
          'spec.source.config.path must be an absolute file path; spec.source.config.delimiter must be one character other than "; spec.source.config.extra is not a known setting',
        fields: [
          'spec.source.config.path',
          'spec.source.config.delimiter',
          'spec.source.config.extra',
        ],
      },
    );
  });

  it('reports a missing file, a missing column and a malformed line', async () => {
    await expect(fetch({ path: join(dir, 'nope.csv') })).rejects.toMatchObject({
      code: 'UNKNOWN_TABLE',
      message: `${join(dir, 'nope.csv')} does not exist (spec.source.config.path)`,
    });
    await expect(fetch({ path: tenants }, { region: 'region' })).rejects.toMatchObject({
      code: 'UNKNOWN_COLUMN',
      message: `column "region" (spec.extraValueMappings.region) does not exist in table ${tenants}`,
    });
    const bad = file('bad.csv', 'id,active\na,1\nb\n');
    const err = await fetch({ path: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as DatasourceError).message).toBe(`${bad}: line 3: has 1 fields, the header has 2`);
  });

  it('notifies watchers when the file is rewritten or replaced', async () => {
    const path = file('watched.csv', 'id,active\na,1\n');
    const ds = await create({ path });
    const events: ChangeEvent[] = [];
    const unsubscribe = ds.watch!((e) => events.push(e));
    const changed = async () => {
      const deadline = Date.now() + 3000;
      while (!events.some((e) => e.kind === 'change')) {
        if (Date.now() > deadline) throw new Error('no change event within 3 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      events.length = 0;
    };
    writeFileSync(path, 'id,active\na,1\nb,1\n');
    await changed();
    expect((await ds.fetchRows(new AbortController().signal)).rows).toHaveLength(2);
    writeFileSync(join(dir, 'next.csv'), 'id,active\nc,1\n');
    renameSync(join(dir, 'next.csv'), path);
    await changed();
    expect((await ds.fetchRows(new AbortController().signal)).rows.map((r) => r.uid)).toEqual([
      'c',
    ]);
    unsubscribe();
    expect(ds.describe().health.watch).toBe('stopped');
    await ds.close();
  });

  it('reads a column and a variable named __proto__ like any other', async () => {
    const path = file('proto.csv', 'id,active,__proto__\nacme,1,gold\n');
    const extra = JSON.parse('{"__proto__": "__proto__"}') as Record<string, string>;
    const { rows } = await fetch({ path }, extra);
    expect(Object.entries(rows[0]!.extras)).toEqual([['__proto__', 'gold']]);
  });

  it('applies the operator’s result-size limits', async () => {
    const path = file('many.csv', 'id,active\na,1\nb,1\nc,1\n');
    const ds = await datasourcePlugin.create({
      ...context({ path }),
      limits: { maxRows: 2 },
      resolveSecret: () => Promise.reject(new Error('unused')),
    });
    await expect(ds.fetchRows(new AbortController().signal)).rejects.toMatchObject({
      code: 'RESULT_TOO_LARGE',
      hub: 'default/tenants',
    });
    await ds.close();
  });
});
