// Rows from a file, and their template variables (with a hub: through its mappings).
import { extname } from 'node:path';
import type { LynqForm, LynqHub } from '@lynq/api';
import { isActive } from '@lynq/datasource';
import { buildVariables, type TemplateVariables } from '@lynq/render';
import { parse as parseYaml } from 'yaml';
import { parseCsv } from './csv.js';

export type Row = Record<string, unknown>;

export interface ParsedRows {
  rows: Row[];
  /** CSV: the line each row starts on. */
  lines?: number[];
}

/** Rows that are not a list of objects (JSON, YAML); CSV problems are CsvErrors. */
export class RowsError extends Error {
  readonly code = 'ROWS_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RowsError';
  }
}

/**
 * Reads rows from JSON, YAML (a list of objects) or CSV (a header row), by file extension;
 * `format` overrides it (stdin has none: YAML, which also reads JSON, unless told).
 */
export function parseRows(text: string, fileName: string, format?: string): ParsedRows {
  const ext = (format ? `.${format}` : extname(fileName)).toLowerCase();
  if (ext === '.csv') return parseCsv(text);
  let value: unknown;
  try {
    value = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new RowsError((err as Error).message);
  }
  if (!Array.isArray(value)) throw new RowsError('expected a list of rows');
  value.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r))
      throw new RowsError(`row ${i + 1} is not an object`);
  });
  return { rows: value as Row[] };
}

/** A column value as Lynq sees it: a string, NULL as "". */
function cell(row: Row, column: string): string {
  const v = row[column];
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export interface RowVariables {
  uid: string;
  active: boolean;
  variables: TemplateVariables;
}

/** With a hub: columns → variables through valueMappings/extraValueMappings. */
export function variablesFromHub(row: Row, hub: LynqHub, form: LynqForm): RowVariables {
  const m = hub.spec.valueMappings;
  const uid = cell(row, m.uid);
  const activate = cell(row, m.activate);
  const extra = Object.fromEntries(
    Object.entries(hub.spec.extraValueMappings ?? {}).map(([v, col]) => [v, cell(row, col)]),
  );
  return {
    uid,
    active: isActive(activate),
    variables: buildVariables({
      uid,
      activate,
      hubId: hub.metadata.name ?? form.spec.hubId,
      templateRef: form.metadata.name ?? '',
      extra,
      ...(m.hostOrUrl !== undefined ? { hostOrUrl: cell(row, m.hostOrUrl) } : {}),
    }),
  };
}

/** Without a hub: the row already holds the variables. */
export function variablesFromRow(row: Row, form: LynqForm): RowVariables {
  const extra = Object.fromEntries(Object.keys(row).map((k) => [k, cell(row, k)]));
  const { uid = '', activate, hostOrUrl, hubId, templateRef } = extra;
  return {
    uid,
    active: true,
    variables: buildVariables({
      uid,
      ...(activate !== undefined ? { activate } : {}),
      hubId: hubId ?? form.spec.hubId,
      templateRef: templateRef ?? form.metadata.name ?? '',
      extra,
      ...(hostOrUrl !== undefined ? { hostOrUrl } : {}),
    }),
  };
}
