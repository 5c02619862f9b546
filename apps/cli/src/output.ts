// `--output table|yaml|json`: every command builds a plain result object; table is its own
// human rendering, yaml and json print the object itself (stable field names, for scripts).
import { stringify } from 'yaml';
import { UsageError } from './command.js';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new UsageError(
    `--output: unknown format ${JSON.stringify(v)} (one of ${OUTPUT_FORMATS.join(', ')})`,
  );
}

// Kubernetes tools read YAML 1.1, where yes/on/y are booleans and 0123 is octal: write with the
// 1.1 schema so such strings come out quoted.
export const YAML_OPTIONS = { lineWidth: 0, version: '1.1' } as const;

/** The machine-readable forms; undefined for table (the command renders that itself). */
export function formatData(format: OutputFormat, data: unknown): string | undefined {
  if (format === 'json') return JSON.stringify(data, null, 2);
  if (format === 'yaml') return stringify(data, YAML_OPTIONS).trimEnd();
  return undefined;
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A value on one line, for diffs and tables: strings as they are when plain, else JSON. */
export function inline(value: unknown, max = 120): string {
  let text: string;
  if (value === undefined) text = '<none>';
  else if (typeof value === 'string')
    text = /^[\w./:@-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  else text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
