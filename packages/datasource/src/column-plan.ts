import type { ValueMappings } from '@lynq/api';
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
 * the same column; it is read once. Throws INVALID_CONFIG for an empty column name.
 */
export function planColumns(
  valueMappings: ValueMappings,
  extraValueMappings: Record<string, string> = {},
): ColumnPlan {
  const refs: [field: string, column: string][] = [
    ['spec.valueMappings.uid', valueMappings.uid],
    ['spec.valueMappings.activate', valueMappings.activate],
  ];
  if (valueMappings.hostOrUrl !== undefined) {
    refs.push(['spec.valueMappings.hostOrUrl', valueMappings.hostOrUrl]);
  }
  const variables = Object.keys(extraValueMappings).sort();
  for (const variable of variables) {
    refs.push([`spec.extraValueMappings.${variable}`, extraValueMappings[variable]!]);
  }
  const bad = refs.filter(([, column]) => column.length === 0);
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
  const extras = variables.map((v) => [v, indexOf(extraValueMappings[v]!)] as const);
  return {
    columns,
    uidIndex,
    activateIndex,
    hostOrUrlIndex,
    extras,
    uidColumn: valueMappings.uid,
    fieldsOf: (column, same = exact) => refs.filter(([, c]) => same(c, column)).map(([f]) => f),
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
