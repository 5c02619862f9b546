import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createMysqlTable, createPgSchema } from './db.js';

describe('database fixtures', () => {
  it('creates and drops a uniquely named MariaDB table', async () => {
    const t = await createMysqlTable('id INT PRIMARY KEY, name VARCHAR(64) NOT NULL');
    const conn = await mysql.createConnection(t.url);
    try {
      await conn.query(`INSERT INTO \`${t.table}\` (id, name) VALUES (1, 'a')`);
      const [rows] = await conn.query(`SELECT name FROM \`${t.table}\``);
      expect(rows).toEqual([{ name: 'a' }]);
      await t.drop();
      const [left] = await conn.query('SHOW TABLES LIKE ?', [t.table]);
      expect(left).toEqual([]);
    } finally {
      await conn.end();
    }
  });

  it('creates and drops a uniquely named PostgreSQL schema', async () => {
    const s = await createPgSchema();
    const client = new pg.Client({ connectionString: s.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE "${s.schema}".rows (id int primary key)`);
      const found = await client.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [s.schema],
      );
      expect(found.rowCount).toBe(1);
      await s.drop();
      const gone = await client.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [s.schema],
      );
      expect(gone.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});
