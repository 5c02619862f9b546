import { describe, expect, it } from 'vitest';
import { planColumns } from './column-plan.js';
import {
  assertDatasourceConformance,
  checkDatasourceConformance,
  ConformanceError,
  type ConformanceOptions,
} from './conformance.js';
import type { Datasource, DatasourceContext, DatasourcePlugin, FetchResult } from './contract.js';
import { DatasourceError, throwIfAborted } from './errors.js';
import { HealthTracker } from './health-tracker.js';
import { normaliseRecords } from './row-collector.js';

type Flaw =
  | 'leaks-secret'
  | 'ignores-abort'
  | 'close-twice-throws'
  | 'raw-activate'
  | 'collapses-duplicates'
  | 'plain-error-after-close'
  | 'slow-ignores-abort';

const records = [
  { id: 'a', on: '1', plan: 'gold' },
  { id: 'b', on: 'no', plan: null },
  { id: 'dup', on: '1', plan: 'x' },
  { id: 'dup', on: '1', plan: 'y' },
];

/** An in-memory plugin; each flaw breaks one rule of the contract. */
function memoryPlugin(flaws: Flaw[] = []): DatasourcePlugin {
  const has = (f: Flaw) => flaws.includes(f);
  return {
    contractVersion: 1,
    type: 'memory',
    async create(ctx: DatasourceContext): Promise<Datasource> {
      const password = await ctx.resolveSecret({ name: 'db', key: 'password' });
      const plan = planColumns(ctx.valueMappings, ctx.extraValueMappings);
      const health = new HealthTracker();
      let closed = false;
      return {
        async fetchRows(signal: AbortSignal): Promise<FetchResult> {
          if (closed) {
            if (has('plain-error-after-close')) throw new Error('closed');
            throw new DatasourceError({ code: 'CLOSED', message: 'memory datasource is closed' });
          }
          if (!has('ignores-abort') && !has('slow-ignores-abort')) throwIfAborted(signal);
          await new Promise((r) => setTimeout(r, has('slow-ignores-abort') ? 1000 : 5));
          if (!has('ignores-abort')) throwIfAborted(signal);
          const result = normaliseRecords(
            has('collapses-duplicates') ? records.slice(0, 3) : records,
            plan,
            { table: 'memory' },
          );
          if (has('raw-activate')) for (const r of result.rows) r.active = r.activate !== '';
          health.succeeded();
          return result;
        },
        describe: () => ({
          type: 'memory',
          target: has('leaks-secret') ? `memory://user:${password}@here` : 'memory://here',
          watchable: false,
          health: health.snapshot(),
        }),
        close() {
          if (closed && has('close-twice-throws'))
            return Promise.reject(new Error('already closed'));
          closed = true;
          return Promise.resolve();
        },
      };
    },
  };
}

const options = (plugin: DatasourcePlugin): ConformanceOptions => ({
  plugin,
  context: {
    hub: { namespace: 'ns', name: 'hub' },
    source: { type: 'memory', syncInterval: '30s' },
    valueMappings: { uid: 'id', activate: 'on' },
    extraValueMappings: { planId: 'plan' },
  },
  secrets: { 'db/password': 's3cr3t-value' },
  expectedRows: [
    { uid: 'a', activate: '1', active: true, extras: { planId: 'gold' } },
    { uid: 'b', activate: 'no', active: false, extras: { planId: '' } },
  ],
  expectedProblems: [{ code: 'DUPLICATE_UID', uid: 'dup' }],
  abortDeadlineMs: 500,
});

describe('conformance kit', () => {
  it('passes a datasource that keeps the contract', async () => {
    const report = await assertDatasourceConformance(options(memoryPlugin()));
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => c.name)).toContain(
      'close() is idempotent and later fetches reject with CLOSED',
    );
  });

  it.each<[Flaw, string, RegExp]>([
    ['leaks-secret', 'describe() is secret-free and consistent', /contains a secret value/],
    [
      'ignores-abort',
      'an already aborted signal rejects with ABORTED',
      /resolved although its signal was aborted/,
    ],
    [
      'close-twice-throws',
      'close() is idempotent and later fetches reject with CLOSED',
      /already closed/,
    ],
    [
      'raw-activate',
      'fetchRows() returns normalised rows',
      /rows\[1\]\.active is true for activate "no"/,
    ],
    [
      'collapses-duplicates',
      'fetchRows() reports the expected problems',
      /got problems \[\], want \[DUPLICATE_UID:"dup"\]/,
    ],
    [
      'plain-error-after-close',
      'close() is idempotent and later fetches reject with CLOSED',
      /want DatasourceError CLOSED/,
    ],
    [
      'slow-ignores-abort',
      'aborting during a fetch settles promptly',
      /did not settle within 500 ms of the abort/,
    ],
  ])('catches a datasource that %s', async (flaw, check, message) => {
    const report = await checkDatasourceConformance(options(memoryPlugin([flaw])));
    expect(report.passed).toBe(false);
    const failed = report.checks.find((c) => c.name === check);
    expect(failed?.passed).toBe(false);
    expect(failed?.message).toMatch(message);
    await expect(assertDatasourceConformance(options(memoryPlugin([flaw])))).rejects.toBeInstanceOf(
      ConformanceError,
    );
  });

  it('stops early on a plugin without the contract shape', async () => {
    const report = await checkDatasourceConformance(
      options({ type: 'memory' } as unknown as DatasourcePlugin),
    );
    expect(report.passed).toBe(false);
    expect(report.checks).toEqual([
      {
        name: 'plugin exports the contract shape',
        passed: false,
        message: expect.stringMatching(
          /missing contractVersion.*missing create\(context\) function/,
        ) as unknown,
      },
    ]);
  });
});
