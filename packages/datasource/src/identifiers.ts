import { DatasourceError } from './errors.js';

export type SqlDialect = 'mysql' | 'postgresql';

/** MySQL and MariaDB limit identifiers to 64 characters. */
export const MYSQL_MAX_IDENTIFIER_CHARS = 64;
/** PostgreSQL silently truncates identifiers longer than 63 bytes; we refuse them instead. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

/**
 * Why `name` cannot be an identifier in `dialect`, or undefined when it can. Checked before
 * quoting so a LynqHub gets a precise error instead of a server-side syntax error.
 */
export function identifierProblem(dialect: SqlDialect, name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL character';
  if (dialect === 'mysql') {
    const chars = [...name];
    if (chars.length > MYSQL_MAX_IDENTIFIER_CHARS) {
      return `is ${chars.length} characters long; MySQL allows at most ${MYSQL_MAX_IDENTIFIER_CHARS}`;
    }
    if (chars.some((c) => c.codePointAt(0)! > 0xffff)) {
      return 'contains a character outside the Basic Multilingual Plane, which MySQL does not allow in names';
    }
    if (name.endsWith(' ')) return 'ends with a space, which MySQL does not allow in names';
    return undefined;
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > PG_MAX_IDENTIFIER_BYTES) {
    return `is ${bytes} bytes long; PostgreSQL allows at most ${PG_MAX_IDENTIFIER_BYTES}`;
  }
  return undefined;
}

/**
 * Quotes a name taken from a LynqHub as one SQL identifier: backticks (MySQL) or double quotes
 * (PostgreSQL), with the quote character doubled inside, so no value can end the identifier and
 * add SQL. Throws INVALID_CONFIG naming `field` when the name cannot be an identifier at all.
 */
export function quoteIdentifier(dialect: SqlDialect, name: string, field: string): string {
  const problem = identifierProblem(dialect, name);
  if (problem !== undefined) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: `${field}: ${JSON.stringify(name)} ${problem}`,
      fields: [field],
      type: dialect,
    });
  }
  return dialect === 'mysql'
    ? `\`${name.replaceAll('`', '``')}\``
    : `"${name.replaceAll('"', '""')}"`;
}
