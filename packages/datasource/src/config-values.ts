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
  | 'optional-name'
  /** Absent, or a Secret key reference `{ name, key }` of non-empty strings. */
  | 'optional-secret-ref'
  /** Absent, or `{ mode, caSecretRef? }` with a mode of TLS_MODES. */
  | 'optional-tls';

/** The TLS modes a source's `tls.mode` may have (libpq's sslmode names). */
export const TLS_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

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
  const problems: Problem[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const value = withDefaults[key];
    const field = `${path}.${key}`;
    if (value === undefined) {
      if (!rule.startsWith('optional-')) problems.push([field, 'is required']);
      continue;
    }
    if (rule === 'optional-secret-ref') {
      problems.push(...secretRefProblems(value, field));
    } else if (rule === 'optional-tls') {
      problems.push(...tlsProblems(value, field));
    } else if (rule === 'port') {
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

type Problem = [field: string, problem: string];

function objectProblem(value: unknown, field: string): Problem | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? undefined
    : [field, `must be an object, got ${describeConfigValue(value)}`];
}

function secretRefProblems(value: unknown, field: string): Problem[] {
  const notObject = objectProblem(value, field);
  if (notObject !== undefined) return [notObject];
  const ref = value as Record<string, unknown>;
  const out: Problem[] = [];
  for (const key of ['name', 'key']) {
    if (typeof ref[key] !== 'string' || ref[key] === '') {
      out.push([
        `${field}.${key}`,
        ref[key] === undefined
          ? 'is required'
          : `must be a non-empty string, got ${describeConfigValue(ref[key])}`,
      ]);
    }
  }
  return out;
}

function tlsProblems(value: unknown, field: string): Problem[] {
  const notObject = objectProblem(value, field);
  if (notObject !== undefined) return [notObject];
  const tls = value as Record<string, unknown>;
  const out: Problem[] = [];
  if (typeof tls['mode'] !== 'string' || !TLS_MODES.includes(tls['mode'])) {
    out.push([
      `${field}.mode`,
      tls['mode'] === undefined
        ? 'is required'
        : `must be one of ${TLS_MODES.join(', ')}, got ${describeConfigValue(tls['mode'])}`,
    ]);
  }
  if (tls['caSecretRef'] !== undefined) {
    out.push(...secretRefProblems(tls['caSecretRef'], `${field}.caSecretRef`));
  }
  return out;
}
