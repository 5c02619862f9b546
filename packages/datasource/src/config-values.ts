import { DatasourceError } from './errors.js';

/**
 * A configuration value as an error message shows it, with its type where the text alone would
 * mislead: `"5" (a string)`, `0.5`, `true (a boolean)`, `nothing`, `an object`. Long strings are
 * shortened; use it only for configuration, never for secrets or row data.
 */
export function describeConfigValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
      return `${text} (a string)`;
    }
    case 'number':
      return String(value);
    case 'bigint':
      return `${value} (a bigint)`;
    case 'boolean':
      return `${value} (a boolean)`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Where a configuration problem is reported. */
export interface ConfigErrorInit {
  hub?: string;
  type?: string;
}

/** The INVALID_CONFIG error for one field: `<field> <problem>`. */
export function invalidConfigError(
  field: string,
  problem: string,
  init: ConfigErrorInit = {},
): DatasourceError {
  return new DatasourceError({
    code: 'INVALID_CONFIG',
    message: `${field} ${problem}`,
    fields: [field],
    ...init,
  });
}

/** What a field of a source section must be. */
export type SourceFieldRule =
  /** A string that is not empty. */
  | 'name'
  /** A TCP port, an integer from 1 to 65535. */
  | 'port'
  /** Absent, or a string that is not empty. */
  | 'optional-name';

/**
 * Checks the fields of a source section (`spec.source.postgresql`, `spec.source.mysql`) that a
 * driver cannot work without, whatever its caller validated before, and throws one
 * INVALID_CONFIG naming every bad field: `spec.source.postgresql.database must be a non-empty
 * string, got "" (a string)`. `defaults` fill absent fields first (the CRD's defaults, e.g.
 * port 5432), and the section with them applied is returned.
 */
export function checkSourceSection<T extends object>(
  section: unknown,
  path: string,
  rules: Readonly<Record<string, SourceFieldRule>>,
  defaults: Readonly<Record<string, unknown>>,
  init: ConfigErrorInit = {},
): T {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw invalidConfigError(path, `must be an object, got ${describeConfigValue(section)}`, init);
  }
  const withDefaults: Record<string, unknown> = { ...section };
  for (const [key, value] of Object.entries(defaults)) {
    if (withDefaults[key] === undefined) withDefaults[key] = value;
  }
  const problems: [field: string, problem: string][] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const value = withDefaults[key];
    const field = `${path}.${key}`;
    if (value === undefined) {
      if (rule !== 'optional-name') problems.push([field, 'is required']);
      continue;
    }
    if (rule === 'port') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
        problems.push([
          field,
          `must be an integer from 1 to 65535, got ${describeConfigValue(value)}`,
        ]);
      }
    } else if (typeof value !== 'string' || value.length === 0) {
      problems.push([field, `must be a non-empty string, got ${describeConfigValue(value)}`]);
    }
  }
  if (problems.length > 0) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: problems.map(([field, problem]) => `${field} ${problem}`).join('; '),
      fields: problems.map(([field]) => field),
      ...init,
    });
  }
  return withDefaults as T;
}
