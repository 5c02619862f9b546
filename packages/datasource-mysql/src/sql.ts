import { quoteIdentifier, type ColumnPlan } from '@lynq/datasource';

/** Where the rows live: a table or view, possibly in another database than the connection's. */
export interface MysqlTableRef {
  database: string;
  table: string;
  /** The hub field the database name came from (`table` when written as `db.table`). */
  databaseField: string;
}

const DATABASE_FIELD = 'spec.source.mysql.database';
const TABLE_FIELD = 'spec.source.mysql.table';

/**
 * Resolves `spec.source.mysql.table`. Lynq (Go) pasted the table name into its SQL unquoted, so
 * hubs written for it may say `otherdb.tenants`; a name with exactly one dot is read that way.
 * Any other name is one identifier.
 */
export function mysqlTableRef(database: string, table: string): MysqlTableRef {
  const parts = table.split('.');
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
    return { database: parts[0]!, table: parts[1]!, databaseField: TABLE_FIELD };
  }
  return { database, table, databaseField: DATABASE_FIELD };
}

/**
 * The one statement a MySQL datasource runs: only the mapped columns, every name quoted, no
 * WHERE (activation is decided by Lynq, not by SQL). Throws INVALID_CONFIG for a name that cannot
 * be an identifier.
 */
export function buildMysqlSelect(plan: ColumnPlan, ref: MysqlTableRef, tableField: string): string {
  const columns = plan.columns.map((c) => quoteIdentifier('mysql', c, fieldOf(plan, c)));
  const database = quoteIdentifier('mysql', ref.database, ref.databaseField);
  const table = quoteIdentifier('mysql', ref.table, tableField);
  return `SELECT ${columns.join(', ')} FROM ${database}.${table}`;
}

function fieldOf(plan: ColumnPlan, column: string): string {
  return plan.fieldsOf(column)[0] ?? 'spec.valueMappings';
}
