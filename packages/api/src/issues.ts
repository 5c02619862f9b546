import type { core } from 'zod';

/** One problem with an object, located by a field path such as `spec.deployments[2].timeoutSeconds`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Outcome of validating an object: every error and warning, never just the first. */
export interface ValidationResult<T> {
  valid: boolean;
  /** The typed, defaulted object when the schema accepted it (even if semantic checks failed). */
  value?: T;
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/** Thrown by callers that prefer exceptions (see `assertValid`); carries every issue. */
export class LynqValidationError extends Error {
  override readonly name = 'LynqValidationError';
  constructor(
    /** e.g. `LynqForm default/web-app` */
    readonly object: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`${object} is invalid:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

export function formatIssue(issue: FieldIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path array the way a user would write it: `spec.labels['app.kubernetes.io/name']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (IDENTIFIER.test(key)) out += out ? `.${key}` : key;
      else out += `['${key.replace(/'/g, "\\'")}']`;
    }
  }
  return out;
}

export function joinPath(base: string, key: string | number): string {
  const tail = formatPath([key]);
  return base && !tail.startsWith('[') ? `${base}.${tail}` : `${base}${tail}`;
}

/** A short, safe rendering of a user-provided value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'int':
    case 'integer':
      return 'an integer';
    default:
      return `a ${expected}`;
  }
}

/** Turns zod's issues into FieldIssues with our wording; `prefix` is prepended to every path. */
export function fromZodIssues(
  issues: readonly core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_type':
        out.push({
          path: formatPath(path),
          message:
            input === undefined
              ? 'is required'
              : `must be ${typeName(issue.expected)} (got ${describeValue(input)})`,
        });
        break;
      case 'too_big': {
        const unit =
          issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
        out.push({
          path: formatPath(path),
          message: `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${unit}${unit ? '' : ` (got ${describeValue(input)})`}`,
        });
        break;
      }
      case 'too_small': {
        if (issue.origin === 'string' && issue.minimum === 1) {
          out.push({ path: formatPath(path), message: 'must not be empty' });
          break;
        }
        const unit =
          issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
        out.push({
          path: formatPath(path),
          message: `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}${unit}${unit ? '' : ` (got ${describeValue(input)})`}`,
        });
        break;
      }
      case 'invalid_value':
        out.push({
          path: formatPath(path),
          message:
            issue.values.length === 1
              ? `must be ${JSON.stringify(issue.values[0])} (got ${describeValue(input)})`
              : `must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${describeValue(input)})`,
        });
        break;
      case 'invalid_format':
        out.push({
          path: formatPath(path),
          message:
            issue.format === 'regex' && issue.pattern
              ? `must match ${issue.pattern.replace(/^\/|\/[a-z]*$/g, '')} (got ${describeValue(input)})`
              : `must be a valid ${issue.format} (got ${describeValue(input)})`,
        });
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({ path: formatPath([...path, key]), message: 'unknown field' });
        }
        break;
      default:
        out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}
