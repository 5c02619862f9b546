import type { SecretKeyRef } from '@lynq/api';
import type {
  Datasource,
  DatasourceContext,
  DatasourcePlugin,
  FetchResult,
  Row,
} from './contract.js';
import { DatasourceError, describeCause, isDatasourceError } from './errors.js';
import { DatasourceRegistry, datasourceShapeProblems } from './registry.js';
import { isActive } from './values.js';
import type { RowProblem } from './row-collector.js';

export interface ConformanceOptions {
  plugin: DatasourcePlugin;
  /** The hub context to create the datasource from; the kit supplies `resolveSecret`. */
  context: Omit<DatasourceContext, 'resolveSecret'>;
  /**
   * Secret values the kit's resolver returns, keyed `secretName/key`. The kit checks that none
   * of them shows up in describe() or in an error message.
   */
  secrets?: Record<string, string>;
  /** The rows the fixture holds; compared by uid, ignoring order. */
  expectedRows?: readonly Row[];
  /** The problems the fixture should produce (code and uid), ignoring order. */
  expectedProblems?: readonly { code: string; uid: string }[];
  /** How long a fetch may take to settle after its signal fires. Default 2000 ms. */
  abortDeadlineMs?: number;
  /** How long one fetch may take. Default 30000 ms. */
  fetchTimeoutMs?: number;
}

export interface ConformanceCheck {
  name: string;
  passed: boolean;
  /** Why it failed (absent when it passed). */
  message?: string;
}

export interface ConformanceReport {
  plugin: string;
  passed: boolean;
  checks: ConformanceCheck[];
}

/** Thrown by assertDatasourceConformance; `failures` lists every failed check. */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
  readonly failures: ConformanceCheck[];
  readonly report: ConformanceReport;

  constructor(report: ConformanceReport) {
    const failures = report.checks.filter((c) => !c.passed);
    super(
      `datasource plugin ${JSON.stringify(report.plugin)} fails ${failures.length} conformance check(s):\n` +
        failures.map((f) => `  - ${f.name}: ${f.message}`).join('\n'),
    );
    this.failures = failures;
    this.report = report;
  }
}

/** Runs every check and throws a ConformanceError if one fails; returns the report otherwise. */
export async function assertDatasourceConformance(
  options: ConformanceOptions,
): Promise<ConformanceReport> {
  const report = await checkDatasourceConformance(options);
  if (!report.passed) throw new ConformanceError(report);
  return report;
}

class CheckFailed extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/**
 * Checks a plugin against the datasource contract using the test framework of your choice:
 * it only returns a report. Creates its own datasource instances and closes them.
 */
export async function checkDatasourceConformance(
  options: ConformanceOptions,
): Promise<ConformanceReport> {
  const abortDeadline = options.abortDeadlineMs ?? 2000;
  const fetchTimeout = options.fetchTimeoutMs ?? 30_000;
  const secrets = Object.values(options.secrets ?? {}).filter((s) => s.length > 0);
  const context: DatasourceContext = {
    ...options.context,
    resolveSecret: (ref: SecretKeyRef) => {
      const value = options.secrets?.[`${ref.name}/${ref.key}`];
      if (value === undefined) {
        return Promise.reject(
          new DatasourceError({
            code: 'SECRET_UNAVAILABLE',
            message: `secret ${ref.name} has no key ${ref.key} in this conformance run`,
          }),
        );
      }
      return Promise.resolve(value);
    },
  };
  const checks: ConformanceCheck[] = [];
  const open: Datasource[] = [];
  const pluginName =
    typeof (options.plugin as { type?: unknown }).type === 'string' ? options.plugin.type : '?';

  const run = async (name: string, body: () => Promise<void> | void): Promise<boolean> => {
    try {
      await body();
      checks.push({ name, passed: true });
      return true;
    } catch (err) {
      const message = err instanceof CheckFailed ? err.message : `threw: ${describeCause(err)}`;
      checks.push({ name, passed: false, message });
      return false;
    }
  };
  const leak = (text: string) => secrets.find((s) => text.includes(s));
  const registry = new DatasourceRegistry({ builtins: false });

  const shapeOk = await run('plugin exports the contract shape', () => {
    registry.register(options.plugin, `conformance:${pluginName}`);
    expect(
      options.plugin.type === context.source.type,
      `plugin type ${JSON.stringify(options.plugin.type)} differs from context.source.type ${JSON.stringify(context.source.type)}`,
    );
  });
  if (!shapeOk) return { plugin: pluginName, passed: false, checks };

  let ds: Datasource | undefined;
  await run('create() returns a datasource', async () => {
    const created: unknown = await options.plugin.create(context);
    if (typeof created === 'object' && created !== null) open.push(created as Datasource);
    const problems = datasourceShapeProblems(created);
    expect(problems.length === 0, problems.join('; '));
    ds = created as Datasource;
  });
  if (ds === undefined) return finish();
  const datasource: Datasource = ds;

  await run('describe() is secret-free and consistent', () => {
    const d = datasource.describe();
    const json = JSON.stringify(d);
    expect(
      typeof d.type === 'string' && d.type.length > 0,
      'describe().type is not a non-empty string',
    );
    expect(typeof d.target === 'string', 'describe().target is not a string');
    expect(
      d.watchable === (typeof datasource.watch === 'function'),
      `describe().watchable is ${String(d.watchable)} but watch is ${typeof datasource.watch}`,
    );
    expect(
      ['unknown', 'ok', 'failing'].includes(d.health?.state),
      `describe().health.state ${JSON.stringify(d.health?.state)} is not unknown, ok or failing`,
    );
    const leaked = leak(json);
    expect(leaked === undefined, 'describe() contains a secret value');
  });

  let first: FetchResult | undefined;
  await run('fetchRows() returns normalised rows', async () => {
    first = await within(
      datasource.fetchRows(new AbortController().signal),
      fetchTimeout,
      'fetchRows()',
    );
    const problems = resultProblems(first, context);
    expect(problems.length === 0, problems.slice(0, 10).join('; '));
  });

  if (options.expectedRows !== undefined && first !== undefined) {
    const got = first;
    const want = options.expectedRows;
    await run('fetchRows() returns the expected rows', () => {
      const byUid = new Map(got.rows.map((r) => [r.uid, r]));
      const diffs: string[] = [];
      for (const row of want) {
        const actual = byUid.get(row.uid);
        if (actual === undefined) diffs.push(`missing uid ${JSON.stringify(row.uid)}`);
        else if (stable(actual) !== stable(row)) {
          diffs.push(`uid ${JSON.stringify(row.uid)}: got ${stable(actual)}, want ${stable(row)}`);
        }
      }
      const wanted = new Set(want.map((r) => r.uid));
      for (const row of got.rows) {
        if (!wanted.has(row.uid)) diffs.push(`unexpected uid ${JSON.stringify(row.uid)}`);
      }
      expect(diffs.length === 0, diffs.slice(0, 10).join('; '));
    });
  }
  if (options.expectedProblems !== undefined && first !== undefined) {
    const got = first;
    const want = options.expectedProblems;
    await run('fetchRows() reports the expected problems', () => {
      const key = (p: { code: string; uid: string }) => `${p.code}:${JSON.stringify(p.uid)}`;
      const a = got.problems.map(key).sort().join(', ');
      const b = want.map(key).sort().join(', ');
      expect(a === b, `got problems [${a}], want [${b}]`);
    });
  }

  if (first !== undefined) {
    const before = first;
    await run('fetchRows() is repeatable', async () => {
      const again = await within(
        datasource.fetchRows(new AbortController().signal),
        fetchTimeout,
        'fetchRows()',
      );
      expect(
        stable(sortRows(again.rows)) === stable(sortRows(before.rows)),
        'a second fetch of unchanged data returned different rows',
      );
    });
    await run('describe().health is ok after a successful fetch', () => {
      const health = datasource.describe().health;
      expect(health.state === 'ok', `health.state is ${JSON.stringify(health.state)}`);
    });
  }

  await run('an already aborted signal rejects with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort(new Error('conformance: pre-aborted'));
    const outcome = await settle(datasource.fetchRows(controller.signal), abortDeadline);
    expect(outcome.kind !== 'timeout', `fetchRows() did not settle within ${abortDeadline} ms`);
    expect(outcome.kind === 'rejected', 'fetchRows() resolved although its signal was aborted');
    expect(
      isDatasourceError(outcome.error) && outcome.error.code === 'ABORTED',
      `rejected with ${errorLabel(outcome.error)}, want DatasourceError ABORTED`,
    );
  });

  await run('aborting during a fetch settles promptly', async () => {
    const controller = new AbortController();
    const pending = datasource.fetchRows(controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('conformance: aborted mid-fetch'));
    // A fetch that already finished may resolve; one still running must reject ABORTED in time.
    const outcome = await settle(pending, abortDeadline);
    expect(
      outcome.kind !== 'timeout',
      `fetchRows() did not settle within ${abortDeadline} ms of the abort`,
    );
    if (outcome.kind === 'rejected') {
      expect(
        isDatasourceError(outcome.error) && outcome.error.code === 'ABORTED',
        `rejected with ${errorLabel(outcome.error)}, want DatasourceError ABORTED`,
      );
    }
  });

  await run('a fetch after an aborted one succeeds', async () => {
    await within(datasource.fetchRows(new AbortController().signal), fetchTimeout, 'fetchRows()');
  });

  if (typeof datasource.watch === 'function') {
    const watch = datasource.watch.bind(datasource);
    await run('watch() returns an unsubscribe function that may be called twice', () => {
      const unsubscribe = watch(() => {});
      expect(typeof unsubscribe === 'function', `watch() returned ${typeof unsubscribe}`);
      unsubscribe();
      unsubscribe();
    });
  }

  await run('close() is idempotent and later fetches reject with CLOSED', async () => {
    await datasource.close();
    await datasource.close();
    const outcome = await settle(datasource.fetchRows(new AbortController().signal), abortDeadline);
    expect(outcome.kind === 'rejected', `fetchRows() after close() ${outcome.kind}`);
    expect(
      isDatasourceError(outcome.error) && outcome.error.code === 'CLOSED',
      `rejected with ${errorLabel(outcome.error)}, want DatasourceError CLOSED`,
    );
    const leaked = leak(describeCause(outcome.error));
    expect(leaked === undefined, 'an error message contains a secret value');
  });

  await run('the registry accepts the plugin and creates through it', async () => {
    const created = await registry.create(context);
    open.push(created);
    await created.close();
  });

  return finish();

  async function finish(): Promise<ConformanceReport> {
    for (const d of open) {
      await d.close().catch((err: unknown) => {
        checks.push({
          name: 'close() succeeds',
          passed: false,
          message: `threw: ${describeCause(err)}`,
        });
      });
    }
    return { plugin: pluginName, passed: checks.every((c) => c.passed), checks };
  }
}

/** Everything wrong with a fetch result for this context. */
export function resultProblems(
  result: unknown,
  context: Pick<DatasourceContext, 'valueMappings' | 'extraValueMappings'>,
): string[] {
  const out: string[] = [];
  if (typeof result !== 'object' || result === null) return ['the result is not an object'];
  const r = result as Partial<FetchResult>;
  if (!Array.isArray(r.rows)) out.push('result.rows is not an array');
  if (!Array.isArray(r.problems)) out.push('result.problems is not an array');
  if (typeof r.totalRows !== 'number') out.push('result.totalRows is not a number');
  if (out.length > 0) return out;
  const rows = r.rows!;
  const problems = r.problems!;
  const variables = Object.keys(context.extraValueMappings ?? {})
    .sort()
    .join(',');
  const hostMapped = context.valueMappings.hostOrUrl !== undefined;
  const seen = new Set<string>();
  rows.forEach((row: Row, i) => {
    const at = `rows[${i}]`;
    if (typeof row.uid !== 'string' || row.uid.trim() === '')
      out.push(`${at}.uid is empty or not a string`);
    else if (seen.has(row.uid)) out.push(`${at}.uid ${JSON.stringify(row.uid)} is duplicated`);
    else seen.add(row.uid);
    if (typeof row.activate !== 'string') out.push(`${at}.activate is not a string`);
    else if (row.active !== isActive(row.activate)) {
      out.push(
        `${at}.active is ${String(row.active)} for activate ${JSON.stringify(row.activate)}`,
      );
    }
    if (typeof row.extras !== 'object' || row.extras === null)
      out.push(`${at}.extras is not an object`);
    else {
      const keys = Object.keys(row.extras).sort().join(',');
      if (keys !== variables) out.push(`${at}.extras has keys [${keys}], want [${variables}]`);
      for (const [k, v] of Object.entries(row.extras)) {
        if (typeof v !== 'string') out.push(`${at}.extras.${k} is ${typeof v}, not a string`);
      }
    }
    if (hostMapped && typeof row.hostOrUrl !== 'string')
      out.push(`${at}.hostOrUrl is missing although mapped`);
    if (!hostMapped && row.hostOrUrl !== undefined)
      out.push(`${at}.hostOrUrl is set although not mapped`);
    const extraKeys = Object.keys(row).filter(
      (k) => !['uid', 'activate', 'active', 'extras', 'hostOrUrl'].includes(k),
    );
    if (extraKeys.length > 0) out.push(`${at} has unknown fields ${extraKeys.join(', ')}`);
  });
  let counted = 0;
  problems.forEach((p, i) => {
    const at = `problems[${i}]`;
    if (!PROBLEM_CODES.has(p.code)) out.push(`${at}.code ${JSON.stringify(p.code)} is unknown`);
    if (typeof p.uid !== 'string') out.push(`${at}.uid is not a string`);
    if (!Number.isInteger(p.count) || p.count < 1)
      out.push(`${at}.count is not a positive integer`);
    else counted += p.count;
    if (!Array.isArray(p.rowNumbers)) out.push(`${at}.rowNumbers is not an array`);
    if (typeof p.message !== 'string' || p.message === '') out.push(`${at}.message is empty`);
    if (p.code === 'DUPLICATE_UID' && seen.has(p.uid)) {
      out.push(`${at}: duplicated uid ${JSON.stringify(p.uid)} is also returned in rows`);
    }
  });
  if (r.totalRows !== rows.length + counted) {
    out.push(
      `totalRows is ${r.totalRows}, but rows (${rows.length}) + problem rows (${counted}) = ${rows.length + counted}`,
    );
  }
  return out;
}

const PROBLEM_CODES: ReadonlySet<string> = new Set<RowProblem['code']>([
  'EMPTY_UID',
  'DUPLICATE_UID',
  'INVALID_UID_ENCODING',
]);

type Outcome<T> =
  | { kind: 'resolved'; value: T; error?: undefined }
  | { kind: 'rejected'; error: unknown }
  | { kind: 'timeout'; error?: undefined };

async function settle<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Outcome<T> => ({ kind: 'resolved', value }),
        (error: unknown): Outcome<T> => ({ kind: 'rejected', error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await settle(promise, ms);
  if (outcome.kind === 'timeout') throw new CheckFailed(`${what} did not settle within ${ms} ms`);
  if (outcome.kind === 'rejected')
    throw new CheckFailed(`${what} rejected: ${errorLabel(outcome.error)}`);
  return outcome.value;
}

function errorLabel(err: unknown): string {
  if (isDatasourceError(err)) return `DatasourceError ${err.code} (${err.message})`;
  return describeCause(err);
}

function sortRows(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/** JSON with sorted keys, for comparing rows. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
