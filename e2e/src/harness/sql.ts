// The scenarios drive the operator through SQL: small wrappers over mysql2 and pg pools.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlUrl, pgUrl } from '@lynq/testkit';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface Db {
  readonly dialect: 'mysql' | 'postgresql';
  /** Runs one statement; `?` placeholders (MySQL) or `$1…` (PostgreSQL). */
  exec(sql: string, params?: readonly SqlValue[]): Promise<void>;
  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Quotes an identifier (a table, or `schema.table` for PostgreSQL). */
  ident(name: string): string;
  /** INSERTs rows into `table` (every row with the same columns). */
  insert(table: string, rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
}

function columnsOf(rows: readonly Row[]): string[] {
  const first = rows[0];
  if (first === undefined) return [];
  return Object.keys(first);
}

export function mysqlDb(url: string = mysqlUrl()): Db {
  const pool = mysql.createPool({ uri: url, connectionLimit: 2, multipleStatements: false });
  const ident = (name: string) => `\`${name.replaceAll('`', '``')}\``;
  const exec = async (sql: string, params: readonly SqlValue[] = []) => {
    await pool.query(sql, [...params]);
  };
  return {
    dialect: 'mysql',
    exec,
    query: async <T>(sql: string, params: readonly SqlValue[] = []) => {
      const [rows] = await pool.query(sql, [...params]);
      return rows as T[];
    },
    ident,
    insert: async (table, rows) => {
      if (rows.length === 0) return;
      const cols = columnsOf(rows);
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      await exec(
        `INSERT INTO ${ident(table)} (${cols.map(ident).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`,
        rows.flatMap((r) => cols.map((c) => r[c] ?? null)),
      );
    },
    close: () => pool.end(),
  };
}

export function pgDb(url: string = pgUrl()): Db {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const ident = (name: string) =>
    name
      .split('.')
      .map((part) => `"${part.replaceAll('"', '""')}"`)
      .join('.');
  // Without parameters pg uses the simple protocol, which also runs several statements at once.
  const exec = async (sql: string, params: readonly SqlValue[] = []) => {
    if (params.length === 0) await pool.query(sql);
    else await pool.query(sql, [...params]);
  };
  return {
    dialect: 'postgresql',
    exec,
    query: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await pool.query(sql, [...params])).rows as T[],
    ident,
    insert: async (table, rows) => {
      if (rows.length === 0) return;
      const cols = columnsOf(rows);
      let n = 0;
      const tuples = rows.map(() => `(${cols.map(() => `$${++n}`).join(', ')})`);
      await exec(
        `INSERT INTO ${ident(table)} (${cols.map(ident).join(', ')}) VALUES ${tuples.join(', ')}`,
        rows.flatMap((r) => cols.map((c) => r[c] ?? null)),
      );
    },
    close: () => pool.end(),
  };
}
