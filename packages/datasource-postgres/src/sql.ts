import { quoteIdentifier, type ColumnPlan } from '@lynq/datasource';

/**
 * The one statement a PostgreSQL datasource runs: only the mapped columns of
 * `"schema"."table"`, every name quoted exactly as written in the hub (so `Tenants` and
 * `tenants` are different tables, as in PostgreSQL itself), no WHERE.
 *
 * With `uidBytes`, one more column follows: the uid's bytes as stored. The datasource asks for
 * it in SQL_ASCII databases, where text is not checked to be UTF-8 and the client would
 * otherwise turn invalid bytes into U+FFFD, i.e. into a different uid.
 */
export function buildPgSelect(
  plan: ColumnPlan,
  schema: string,
  table: string,
  options: { uidBytes?: boolean } = {},
): string {
  const columns = plan.columns.map((c) =>
    quoteIdentifier('postgresql', c, plan.fieldsOf(c)[0] ?? 'spec.valueMappings'),
  );
  if (options.uidBytes === true) {
    columns.push(`convert_to(${columns[plan.uidIndex]!}::text, 'SQL_ASCII')`);
  }
  const from = `${quoteIdentifier('postgresql', schema, 'spec.source.postgresql.schema')}.${quoteIdentifier('postgresql', table, 'spec.source.postgresql.table')}`;
  return `SELECT ${columns.join(', ')} FROM ${from}`;
}

/**
 * A string as a PostgreSQL literal for DDL that takes no parameters. A value with a backslash is
 * written as an E'' literal so it means the same whatever standard_conforming_strings says.
 */
export function pgLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
