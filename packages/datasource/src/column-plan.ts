import type { ValueMappings } from '@lynq/api';
import { describeConfigValue } from './config-values.js';
import { DatasourceError } from './errors.js';

/**
 * Which columns one fetch reads and where each mapped value sits in a result row. Built once per
 * datasource from the hub's mappings.
 */
export interface ColumnPlan {
  /** Distinct columns in select order: uid, activate, hostOrUrl (if mapped), extras by variable. */
  readonly columns: readonly string[];
  readonly uidIndex: number;
  readonly activateIndex: number;
  readonly hostOrUrlIndex: number | undefined;
  /** `[variable, column index]`, sorted by variable name. */
  readonly extras: readonly (readonly [variable: string, index: number])[];
  /** The uid column's name, for messages. */
  readonly uidColumn: string;
  /** Hub field paths that refer to `column`, e.g. `spec.extraValueMappings.planId`. */
  fieldsOf(column: string, sameColumn?: (a: string, b: string) => boolean): string[];
}

const exact = (a: string, b: string) => a === b;

/**
 * Builds the plan for `spec.valueMappings` and `spec.extraValueMappings`. Two mappings may name
 * the same column; it is read once. Variable names are ordinary keys, `__proto__` included
 * (read with Object.entries, never through the prototype chain). Throws INVALID_CONFIG for a
 * column name that is empty or not a string.
 */
export function planColumns(
  valueMappings: ValueMappings,
  extraValueMappings: Record<string, string> = {},
): ColumnPlan {
  // A caller may pass anything despite the types (plain JavaScript, an unvalidated object).
  const mappings = (valueMappings ?? {}) as Partial<Record<keyof ValueMappings, unknown>>;
  const refs: [field: string, column: unknown][] = [
    ['spec.valueMappings.uid', mappings.uid],
    ['spec.valueMappings.activate', mappings.activate],
  ];
  if (mappings.hostOrUrl !== undefined) {
    refs.push(['spec.valueMappings.hostOrUrl', mappings.hostOrUrl]);
  }
  // Absent or null (what the API server prunes) is no extra variable; anything else but a map
  // would have its characters or items read as variables (`"abc"` → variables 0, 1, 2).
  const extraMap = (extraValueMappings ?? {}) as unknown;
  if (typeof extraMap !== 'object' || Array.isArray(extraMap)) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: `spec.extraValueMappings must be a map of variable names to column names, got ${describeConfigValue(extraMap)}`,
      fields: ['spec.extraValueMappings'],
    });
  }
  const extraEntries = Object.entries(extraMap as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [variable, column] of extraEntries) {
    refs.push([`spec.extraValueMappings.${variable}`, column]);
  }
  const notText = refs.filter(([, column]) => typeof column !== 'string');
  if (notText.length > 0) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: notText
        .map(([f, c]) => `${f}: column name must be a string, got ${describeConfigValue(c)}`)
        .join('; '),
      fields: notText.map(([f]) => f),
    });
  }
  const named = refs as [field: string, column: string][];
  const bad = named.filter(([, column]) => column.length === 0);
  if (bad.length > 0) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: `${bad.map(([f]) => f).join(', ')}: column name is empty`,
      fields: bad.map(([f]) => f),
    });
  }
  const columns: string[] = [];
  const indexOf = (column: string) => {
    let i = columns.indexOf(column);
    if (i < 0) i = columns.push(column) - 1;
    return i;
  };
  const uidIndex = indexOf(valueMappings.uid);
  const activateIndex = indexOf(valueMappings.activate);
  const hostOrUrlIndex =
    valueMappings.hostOrUrl === undefined ? undefined : indexOf(valueMappings.hostOrUrl);
  const extras = extraEntries.map(([v, column]) => [v, indexOf(column as string)] as const);
  return {
    columns,
    uidIndex,
    activateIndex,
    hostOrUrlIndex,
    extras,
    uidColumn: valueMappings.uid,
    fieldsOf: (column, same = exact) => named.filter(([, c]) => same(c, column)).map(([f]) => f),
  };
}

/**
 * The UNKNOWN_COLUMN error for `missing` columns of `table`, naming each column and the mapping
 * that refers to it: `column "plan" (spec.extraValueMappings.planId) does not exist in table
 * test.tenants`.
 */
export function unknownColumnError(
  plan: ColumnPlan,
  missing: readonly string[],
  table: string,
  init: {
    hub?: string;
    type?: string;
    driverCode?: string;
    cause?: unknown;
    sameColumn?: (a: string, b: string) => boolean;
  } = {},
): DatasourceError {
  const { sameColumn, ...rest } = init;
  const parts = missing.map(
    (c) => `column ${JSON.stringify(c)} (${plan.fieldsOf(c, sameColumn).join(', ')})`,
  );
  const verb = parts.length === 1 ? 'does' : 'do';
  return new DatasourceError({
    code: 'UNKNOWN_COLUMN',
    message: `${parts.join(', ')} ${verb} not exist in table ${table}`,
    columns: missing,
    fields: missing.flatMap((c) => plan.fieldsOf(c, sameColumn)),
    ...rest,
  });
}
