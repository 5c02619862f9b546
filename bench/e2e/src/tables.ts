// The bench's rows: a MariaDB table (polled) and a PostgreSQL table with Lynq's change trigger
// (NOTIFY), each uniquely named and dropped at the end.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { changeTriggerSql } from '@lynq/datasource-postgres';
import { createMysqlTable, createPgSchema } from '@lynq/testkit';
import type { Row } from './workload.js';

export interface RowTable {
  /** For the hub: the MySQL table, or the PostgreSQL schema and table. */
  readonly name: string;
  readonly schema?: string;
  insert(rows: readonly Row[]): Promise<void>;
  setPlan(uid: string, plan: string): Promise<void>;
  close(): Promise<void>;
  drop(): Promise<void>;
}

const CHUNK = 1_000;

export async function mysqlRowTable(): Promise<RowTable> {
  const table = await createMysqlTable(
    'id VARCHAR(64) NOT NULL PRIMARY KEY, active TINYINT(1) NOT NULL, plan VARCHAR(64) NOT NULL',
    { prefix: 'bench_e2e' },
  );
  const pool = mysql.createPool({ uri: table.url, connectionLimit: 2 });
  const ident = `\`${table.table}\``;
  return {
    name: table.table,
    insert: async (rows) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await pool.query(
          `INSERT INTO ${ident} (id, active, plan) VALUES ${chunk.map(() => '(?, 1, ?)').join(', ')}`,
          chunk.flatMap((r) => [r.uid, r.plan]),
        );
      }
    },
    setPlan: async (uid, plan) => {
      await pool.query(`UPDATE ${ident} SET plan = ? WHERE id = ?`, [plan, uid]);
    },
    close: () => pool.end(),
    drop: () => table.drop(),
  };
}

export async function pgRowTable(): Promise<RowTable> {
  const schema = await createPgSchema({ prefix: 'bench_e2e' });
  const pool = new pg.Pool({ connectionString: schema.url, max: 2 });
  const table = 'tenants';
  const qualified = `"${schema.schema}"."${table}"`;
  try {
    await pool.query(`CREATE TABLE ${qualified} (id text PRIMARY KEY, active boolean, plan text)`);
    // What a user runs once as the table's owner (README of @lynq/datasource-postgres).
    await pool.query(changeTriggerSql({ schema: schema.schema, table }));
  } catch (err) {
    await pool.end();
    await schema.drop();
    throw err;
  }
  return {
    name: table,
    schema: schema.schema,
    insert: async (rows) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await pool.query(
          `INSERT INTO ${qualified} (id, active, plan) VALUES ${chunk.map((_, j) => `($${2 * j + 1}, true, $${2 * j + 2})`).join(', ')}`,
          chunk.flatMap((r) => [r.uid, r.plan]),
        );
      }
    },
    setPlan: async (uid, plan) => {
      await pool.query(`UPDATE ${qualified} SET plan = $1 WHERE id = $2`, [plan, uid]);
    },
    close: () => pool.end(),
    drop: () => schema.drop(),
  };
}
