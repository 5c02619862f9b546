import type { ColumnPlan } from './column-plan.js';
import type { FetchResult, Row } from './contract.js';
import { isActive, toLynqString } from './values.js';
import { unknownColumnError } from './column-plan.js';

/** A row (or rows) that could not become a node. */
export interface RowProblem {
  /** EMPTY_UID: the uid is NULL, empty or only white space. DUPLICATE_UID: several rows share it. */
  code: 'EMPTY_UID' | 'DUPLICATE_UID';
  /** The offending uid value ("" for NULL). */
  uid: string;
  /** How many rows have it. */
  count: number;
  /** 1-based positions of those rows in the result (the first 10). */
  rowNumbers: number[];
  /** One line for a status condition or an event. */
  message: string;
}

/** Row numbers kept per problem; enough to find the rows, small enough for an event. */
const MAX_ROW_NUMBERS = 10;

/**
 * Turns result rows (values in `plan.columns` order, NULL as null) into normalised Rows and
 * problems. Rows with an empty uid and every row of a duplicated uid are left out of `rows` and
 * reported, never silently dropped or collapsed into one.
 */
export class RowCollector {
  private readonly rows: Row[] = [];
  /** Result position of each entry of `rows`. */
  private readonly positions: number[] = [];
  /** uid → index in `rows` of the first row with it. */
  private readonly firstIndex = new Map<string, number>();
  private readonly duplicates = new Map<string, number[]>();
  private readonly empty = new Map<string, number[]>();
  private total = 0;

  constructor(private readonly plan: ColumnPlan) {}

  /** Adds one result row; `values[i]` is the value of `plan.columns[i]`. */
  add(values: ArrayLike<string | null>): void {
    const plan = this.plan;
    const rowNumber = ++this.total;
    const uid = values[plan.uidIndex] ?? '';
    if (uid.trim() === '') {
      pushNumber(this.empty, uid, rowNumber);
      return;
    }
    const activate = values[plan.activateIndex] ?? '';
    const extras: Record<string, string> = {};
    for (const [variable, index] of plan.extras) extras[variable] = values[index] ?? '';
    const row: Row = { uid, activate, active: isActive(activate), extras };
    if (plan.hostOrUrlIndex !== undefined) row.hostOrUrl = values[plan.hostOrUrlIndex] ?? '';
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

/**
 * Normalises records keyed by column name (what most plugins read). Values go through
 * `toLynqString`. A mapped column missing from a record is an UNKNOWN_COLUMN error naming the
 * mapping, as a database would report it.
 */
export function normaliseRecords(
  records: Iterable<Readonly<Record<string, unknown>>>,
  plan: ColumnPlan,
  where: { table: string; hub?: string; type?: string },
): FetchResult {
  const collector = new RowCollector(plan);
  const values: (string | null)[] = new Array<string | null>(plan.columns.length);
  for (const record of records) {
    for (let i = 0; i < plan.columns.length; i++) {
      const column = plan.columns[i]!;
      if (!Object.hasOwn(record, column)) {
        const missing = plan.columns.filter((c) => !Object.hasOwn(record, c));
        throw unknownColumnError(plan, missing, where.table, { hub: where.hub, type: where.type });
      }
      values[i] = toLynqString(record[column]);
    }
    collector.add(values);
  }
  return collector.finish();
}
