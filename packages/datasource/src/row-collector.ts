import type { ColumnPlan } from './column-plan.js';
import {
  DEFAULT_RESULT_LIMITS,
  type FetchResult,
  type ResultLimits,
  type Row,
} from './contract.js';
import { DatasourceError } from './errors.js';
import { InvalidUtf8, isActive, toLynqValue, type RowValue } from './values.js';
import { unknownColumnError } from './column-plan.js';

/** A row (or rows) that could not become a node. */
export interface RowProblem {
  /**
   * EMPTY_UID: the uid is NULL, empty or only white space. DUPLICATE_UID: several rows share it.
   * INVALID_UID_ENCODING: the uid's bytes are not valid UTF-8, so it names no node.
   */
  code: 'EMPTY_UID' | 'DUPLICATE_UID' | 'INVALID_UID_ENCODING';
  /**
   * The offending uid value ("" for NULL). For INVALID_UID_ENCODING its bytes in hex with a
   * `\x` prefix (`\x61636d65ff`), never a decoded guess.
   */
  uid: string;
  /** How many rows have it. */
  count: number;
  /** 1-based positions of those rows in the result (the first 10). */
  rowNumbers: number[];
  /** One line for a status condition or an event. */
  message: string;
}

/** How a RowCollector reports a result that is too large. */
export interface RowCollectorOptions {
  /** Result-size limits; each one left out is DEFAULT_RESULT_LIMITS'. */
  limits?: Partial<ResultLimits>;
  /** Hub as `namespace/name`, for RESULT_TOO_LARGE. */
  hub?: string;
  /** Datasource type, for RESULT_TOO_LARGE. */
  type?: string;
  /** Where the rows come from, e.g. `public.tenants`; default "the source". */
  source?: string;
}

/** Row numbers kept per problem; enough to find the rows, small enough for an event. */
const MAX_ROW_NUMBERS = 10;
/** Bytes of an invalid uid shown in its problem. */
const MAX_HEX_BYTES = 64;

/**
 * Turns result rows (values in `plan.columns` order, NULL as null) into normalised Rows and
 * problems. Rows with an empty or non-UTF-8 uid and every row of a duplicated uid are left out
 * of `rows` and reported, never silently dropped, rewritten or collapsed into one.
 *
 * Enforces the result-size limits as rows arrive: the `add` that goes over `maxRows` or
 * `maxResultBytes` throws RESULT_TOO_LARGE, so a driver that adds each row as it streams in
 * stops reading (and should cancel the query) with bounded memory. There is no partial result.
 */
export class RowCollector {
  private readonly rows: Row[] = [];
  /** Result position of each entry of `rows`. */
  private readonly positions: number[] = [];
  /** uid → index in `rows` of the first row with it. */
  private readonly firstIndex = new Map<string, number>();
  private readonly duplicates = new Map<string, number[]>();
  private readonly empty = new Map<string, number[]>();
  /** Hex of an invalid uid → its row numbers. */
  private readonly invalid = new Map<string, number[]>();
  private readonly limits: ResultLimits;
  private total = 0;
  private bytes = 0;

  constructor(
    private readonly plan: ColumnPlan,
    private readonly options: RowCollectorOptions = {},
  ) {
    this.limits = { ...DEFAULT_RESULT_LIMITS };
    for (const key of ['maxRows', 'maxResultBytes'] as const) {
      const value = options.limits?.[key];
      if (value !== undefined) this.limits[key] = value;
    }
  }

  /**
   * Adds one result row; `values[i]` is the value of `plan.columns[i]`. Throws RESULT_TOO_LARGE
   * when this row goes over a limit.
   */
  add(values: ArrayLike<RowValue>): void {
    const plan = this.plan;
    const rowNumber = ++this.total;
    this.count(values, rowNumber);
    const rawUid = values[plan.uidIndex] ?? '';
    if (rawUid instanceof InvalidUtf8) {
      pushNumber(this.invalid, rawUid.hex(), rowNumber);
      return;
    }
    const uid = rawUid;
    if (uid.trim() === '') {
      pushNumber(this.empty, uid, rowNumber);
      return;
    }
    const activate = text(values[plan.activateIndex]);
    // No prototype: a variable named `__proto__` is an ordinary key, not the object's prototype.
    const extras = Object.create(null) as Record<string, string>;
    for (const [variable, index] of plan.extras) extras[variable] = text(values[index]);
    const row: Row = { uid, activate, active: isActive(activate), extras };
    if (plan.hostOrUrlIndex !== undefined) row.hostOrUrl = text(values[plan.hostOrUrlIndex]);
    const first = this.firstIndex.get(uid);
    if (first === undefined) {
      this.firstIndex.set(uid, this.rows.push(row) - 1);
      this.positions.push(rowNumber);
      return;
    }
    let numbers = this.duplicates.get(uid);
    if (numbers === undefined) {
      numbers = [this.positions[first]!];
      this.duplicates.set(uid, numbers);
    }
    numbers.push(rowNumber);
  }

  /** Counts the row against the limits; throws RESULT_TOO_LARGE over one. */
  private count(values: ArrayLike<RowValue>, rowNumber: number): void {
    const { maxRows, maxResultBytes } = this.limits;
    if (rowNumber > maxRows) {
      throw this.tooLarge(
        `has more than ${maxRows} rows (datasource limit maxRows = ${maxRows})`,
        'maxRows',
      );
    }
    for (let i = 0; i < this.plan.columns.length; i++) {
      const value = values[i];
      if (typeof value === 'string') this.bytes += Buffer.byteLength(value, 'utf8');
      else if (value instanceof InvalidUtf8) this.bytes += value.bytes.byteLength;
    }
    if (this.bytes > maxResultBytes) {
      throw this.tooLarge(
        `holds more than ${formatBytes(maxResultBytes)} in its first ${rowNumber} rows (datasource limit maxResultBytes = ${maxResultBytes})`,
        'maxResultBytes',
      );
    }
  }

  private tooLarge(what: string, limit: keyof ResultLimits): DatasourceError {
    const { hub, type, source = 'the source' } = this.options;
    return new DatasourceError({
      code: 'RESULT_TOO_LARGE',
      message: `${hub === undefined ? '' : `hub ${hub}: `}${source} ${what}; the fetch failed and no rows were used. Raise ${limit} in the operator's datasource limits, or select fewer rows or smaller values (e.g. through a view)`,
      hub,
      type,
    });
  }

  /** The normalised result; call once after the last `add`. */
  finish(): FetchResult {
    const problems: RowProblem[] = [];
    const column = JSON.stringify(this.plan.uidColumn);
    for (const [uid, numbers] of this.empty) {
      const what = uid === '' ? 'an empty or NULL uid' : `a blank uid ${JSON.stringify(uid)}`;
      problems.push({
        code: 'EMPTY_UID',
        uid,
        count: numbers.length,
        rowNumbers: numbers.slice(0, MAX_ROW_NUMBERS),
        message: `${plural(numbers.length)} ${numbers.length === 1 ? 'has' : 'have'} ${what} in column ${column} (${rowList(numbers)}); skipped`,
      });
    }
    for (const [hex, numbers] of this.invalid) {
      const shown = hex.length > MAX_HEX_BYTES * 2 ? `${hex.slice(0, MAX_HEX_BYTES * 2)}…` : hex;
      problems.push({
        code: 'INVALID_UID_ENCODING',
        uid: `\\x${hex}`,
        count: numbers.length,
        rowNumbers: numbers.slice(0, MAX_ROW_NUMBERS),
        message: `${plural(numbers.length)} ${numbers.length === 1 ? 'has' : 'have'} a uid in column ${column} that is not valid UTF-8 (bytes \\x${shown}; ${rowList(numbers)}); skipped`,
      });
    }
    for (const [uid, numbers] of this.duplicates) {
      problems.push({
        code: 'DUPLICATE_UID',
        uid,
        count: numbers.length,
        rowNumbers: numbers.slice(0, MAX_ROW_NUMBERS),
        message: `uid ${JSON.stringify(uid)} appears in ${plural(numbers.length)} (${rowList(numbers)}); skipped, existing nodes for it are kept unchanged`,
      });
    }
    const rows =
      this.duplicates.size === 0 ? this.rows : this.rows.filter((r) => !this.duplicates.has(r.uid));
    return { rows, problems, totalRows: this.total };
  }
}

/** A non-uid value as text: NULL as "", bytes that are not UTF-8 with U+FFFD. */
function text(value: RowValue | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.text;
}

function pushNumber(map: Map<string, number[]>, key: string, n: number) {
  const list = map.get(key);
  if (list === undefined) map.set(key, [n]);
  else list.push(n);
}

function plural(n: number) {
  return n === 1 ? '1 row' : `${n} rows`;
}

function rowList(numbers: readonly number[]) {
  const shown = numbers.slice(0, MAX_ROW_NUMBERS).join(', ');
  const more =
    numbers.length > MAX_ROW_NUMBERS ? ` and ${numbers.length - MAX_ROW_NUMBERS} more` : '';
  return `${numbers.length === 1 ? 'row' : 'rows'} ${shown}${more}`;
}

/** `64 MiB`, `1.5 KiB`, `512 bytes`. */
function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/**
 * Normalises records keyed by column name (what most plugins read). Values go through
 * `toLynqValue` (bytes that are not UTF-8 stay recognisable). A mapped column missing from a
 * record is an UNKNOWN_COLUMN error naming the mapping, as a database would report it. `limits`
 * caps the result as in RowCollector (pass the context's limits).
 */
export function normaliseRecords(
  records: Iterable<Readonly<Record<string, unknown>>>,
  plan: ColumnPlan,
  where: { table: string; hub?: string; type?: string; limits?: Partial<ResultLimits> },
): FetchResult {
  const collector = new RowCollector(plan, {
    limits: where.limits,
    hub: where.hub,
    type: where.type,
    source: where.table,
  });
  const values: RowValue[] = new Array<RowValue>(plan.columns.length);
  for (const record of records) {
    for (let i = 0; i < plan.columns.length; i++) {
      const column = plan.columns[i]!;
      if (!Object.hasOwn(record, column)) {
        const missing = plan.columns.filter((c) => !Object.hasOwn(record, c));
        throw unknownColumnError(plan, missing, where.table, { hub: where.hub, type: where.type });
      }
      values[i] = toLynqValue(record[column]);
    }
    collector.add(values);
  }
  return collector.finish();
}
