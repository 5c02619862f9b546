import { createHash } from 'node:crypto';
import { quoteIdentifier } from '@lynq/datasource';
import { pgLiteral } from './sql.js';

/** Anything that runs SQL: a pg Client, PoolClient or Pool. */
export interface SqlRunner {
  query(sql: string, values?: unknown[]): Promise<{ rows: unknown[] } | { rows: unknown[] }[]>;
}

export interface TableRef {
  /** Default `public`. */
  schema?: string;
  table: string;
}

/** Name of the trigger installed on a watched table. */
export const CHANGE_TRIGGER_NAME = 'lynq_notify_change';
/** Name of the trigger function, created once per schema and shared by its watched tables. */
export const CHANGE_FUNCTION_NAME = 'lynq_notify_change';

const PG_MAX_CHANNEL_BYTES = 63;

/**
 * The NOTIFY channel of a hub's table or view: `lynq:<schema>.<table>`, or, when that is longer
 * than PostgreSQL's 63-byte limit, `lynq:` and a hash of both names. Deterministic, so the
 * trigger and the datasource agree without configuration.
 */
export function notifyChannel(ref: TableRef): string {
  const schema = ref.schema ?? 'public';
  const readable = `lynq:${schema}.${ref.table}`;
  if (Buffer.byteLength(readable, 'utf8') <= PG_MAX_CHANNEL_BYTES && !readable.includes('\0')) {
    return readable;
  }
  const hash = createHash('sha256').update(`${schema}\0${ref.table}`).digest('hex').slice(0, 40);
  return `lynq:${hash}`;
}

export interface ChangeTriggerOptions {
  /**
   * Channel to notify. Default: the table's own channel. To watch a hub that reads a VIEW,
   * install the trigger on each table under the view with `channel: notifyChannel(view)`.
   */
  channel?: string;
}

/**
 * The SQL installChangeTrigger runs, for review or for a migration tool: a trigger function in
 * the table's schema (`NOTIFY <channel>, TG_OP`, the channel passed as a trigger argument) and a
 * statement-level AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE trigger on the table. One
 * notification per statement, however many rows it touches. Re-running it is harmless.
 */
export function changeTriggerSql(target: TableRef, options: ChangeTriggerOptions = {}): string {
  const { schema, table, fn } = names(target);
  const channel = options.channel ?? notifyChannel(target);
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $lynq$`,
    'BEGIN',
    '  PERFORM pg_notify(TG_ARGV[0], TG_OP);',
    '  RETURN NULL;',
    'END',
    '$lynq$;',
    `DROP TRIGGER IF EXISTS ${quoteIdentifier('postgresql', CHANGE_TRIGGER_NAME, 'trigger')} ON ${schema}.${table};`,
    `CREATE TRIGGER ${quoteIdentifier('postgresql', CHANGE_TRIGGER_NAME, 'trigger')}`,
    `  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${schema}.${table}`,
    `  FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${pgLiteral(channel)});`,
  ].join('\n');
}

/**
 * Installs (or replaces) the change trigger on a table, so a PostgreSQL datasource's `watch()`
 * hears about every write within milliseconds. Needs the right to create functions in the schema
 * and triggers on the table (the table's owner); the datasource itself only needs SELECT.
 * Runs as one implicit transaction.
 */
export async function installChangeTrigger(
  db: SqlRunner,
  target: TableRef,
  options: ChangeTriggerOptions = {},
): Promise<void> {
  await db.query(changeTriggerSql(target, options));
}

/**
 * Removes the change trigger from a table, and the shared trigger function when no other trigger
 * uses it any more.
 */
export async function removeChangeTrigger(db: SqlRunner, target: TableRef): Promise<void> {
  const { schema, table, fn } = names(target);
  await db.query(
    `DROP TRIGGER IF EXISTS ${quoteIdentifier('postgresql', CHANGE_TRIGGER_NAME, 'trigger')} ON ${schema}.${table}`,
  );
  const result = await db.query(
    `SELECT count(*)::int AS n FROM pg_trigger t
       JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace s ON s.oid = p.pronamespace
      WHERE p.proname = $1 AND s.nspname = $2`,
    [CHANGE_FUNCTION_NAME, target.schema ?? 'public'],
  );
  const rows = Array.isArray(result) ? [] : result.rows;
  if ((rows[0] as { n?: number } | undefined)?.n === 0) {
    await db.query(`DROP FUNCTION IF EXISTS ${fn}()`);
  }
}

function names(target: TableRef) {
  const schema = quoteIdentifier('postgresql', target.schema ?? 'public', 'schema');
  const table = quoteIdentifier('postgresql', target.table, 'table');
  return {
    schema,
    table,
    fn: `${schema}.${quoteIdentifier('postgresql', CHANGE_FUNCTION_NAME, 'function')}`,
  };
}
