import mysql from 'mysql2/promise';
import pg from 'pg';
import { TestkitError, errorMessage } from './errors.js';
import { uniqueName } from './names.js';

/** MariaDB/MySQL of the test machines; override with LYNQ_TEST_MYSQL_URL. */
export function mysqlUrl(): string {
  return process.env['LYNQ_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test';
}

/** PostgreSQL of the test machines; override with LYNQ_TEST_PG_URL. */
export function pgUrl(): string {
  return process.env['LYNQ_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export interface MysqlTable {
  /** Unique table name (in the URL's database). */
  table: string;
  url: string;
  /** Drops the table; safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named table. `ddl` is either the column list (`id INT PRIMARY KEY, ...`) or a
 * full statement that spells the table as `{{table}}`.
 */
export async function createMysqlTable(
  ddl: string,
  options: { prefix?: string } = {},
): Promise<MysqlTable> {
  const table = uniqueName(options.prefix ?? 'lynq_t', '_');
  const url = mysqlUrl();
  const sql = ddl.includes('{{table}}')
    ? ddl.replaceAll('{{table}}', `\`${table}\``)
    : `CREATE TABLE \`${table}\` (${ddl})`;
  const conn = await mysql.createConnection(url).catch((err: unknown) => {
    throw new TestkitError(
      'DB_FAILED',
      `cannot connect to MariaDB at ${url}: ${errorMessage(err)}`,
      { cause: err },
    );
  });
  try {
    await conn.query(sql);
  } catch (err) {
    throw new TestkitError('DB_FAILED', `creating table ${table}: ${errorMessage(err)}`, {
      cause: err,
    });
  } finally {
    await conn.end();
  }
  let dropped = false;
  return {
    table,
    url,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      const c = await mysql.createConnection(url);
      try {
        await c.query(`DROP TABLE IF EXISTS \`${table}\``);
      } finally {
        await c.end();
      }
    },
  };
}

export interface PgSchema {
  /** Unique schema name in the URL's database. */
  schema: string;
  url: string;
  /** Drops the schema and everything in it; safe to call twice. */
  drop(): Promise<void>;
}

/** Creates a uniquely named PostgreSQL schema. */
export async function createPgSchema(options: { prefix?: string } = {}): Promise<PgSchema> {
  const schema = uniqueName(options.prefix ?? 'lynq_s', '_');
  const url = pgUrl();
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await run(`CREATE SCHEMA "${schema}"`);
  } catch (err) {
    throw new TestkitError(
      'DB_FAILED',
      `creating schema ${schema} at ${url}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  let dropped = false;
  return {
    schema,
    url,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}
