// Hostile hubs and rows against a real MariaDB: names that try to end an identifier, comment out
// the rest of the statement or pass for another name; values of a megabyte; uids that differ only
// by case, spaces or Unicode normalisation under a case-insensitive collation. Every name is one
// quoted identifier, every value arrives byte for byte, and every failure names its field.
import { type Datasource, type FetchResult } from '@lynq/datasource';
import { datasourceRejection } from '@lynq/datasource/testing';
import { createMysqlTable, uniqueName, type MysqlTable } from '@lynq/testkit';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import {
  adminConnection,
  mysqlContext,
  serverSource,
  type ContextOptions,
} from './testing/fixtures.js';

const database = serverSource().database;
let admin: mysql.Connection;
const tables: MysqlTable[] = [];
const open: Datasource[] = [];

beforeAll(async () => {
  admin = await adminConnection();
});

afterAll(async () => {
  for (const d of open) await d.close();
  for (const t of tables) await t.drop();
  await admin.end();
});

async function table(ddl: string): Promise<string> {
  const t = await createMysqlTable(ddl, { prefix: 'lynq_hx' });
  tables.push(t);
  return t.table;
}

/** A table whose own name is `name` (quoted by the admin connection), dropped afterwards. */
async function namedTable(name: string, ddl: string): Promise<void> {
  tables.push({
    table: name,
    url: '',
    drop: () => admin.query(`DROP TABLE IF EXISTS ${admin.escapeId(name)}`).then(() => undefined),
  });
  await admin.query(`CREATE TABLE ${admin.escapeId(name)} (${ddl})`);
}

async function fetch(tableName: string, options: ContextOptions = {}): Promise<FetchResult> {
  const ds = await createMysqlDatasource(mysqlContext(tableName, options));
  open.push(ds);
  return ds.fetchRows(new AbortController().signal);
}

async function tableExists(name: string): Promise<boolean> {
  const [rows] = await admin.query(`SHOW TABLES LIKE ${admin.escape(name)}`);
  return (rows as unknown[]).length === 1;
}

describe('names that try to leave their identifier', () => {
  // Each of these is a real column of one table: the datasource must read exactly it.
  const hostileColumns = [
    'id -- rest',
    'id /* c */',
    'id # c',
    'id;',
    'a\\',
    "a\\'b",
    'new\nline',
    'fw｀tick', // U+FF40 FULLWIDTH GRAVE ACCENT: a look-alike of the quote character
    'ᴵd', // a look-alike of `id`
  ];

  it('reads columns named with comments, terminators, backslashes, newlines and look-alike quotes', async () => {
    const t = await table(
      [
        '`id` VARCHAR(8)',
        '`active` CHAR(1)',
        ...hostileColumns.map((c, i) => `${admin.escapeId(c)} VARCHAR(8) DEFAULT 'v${i}'`),
      ].join(', '),
    );
    await admin.query(`INSERT INTO ${admin.escapeId(t)} (id, active) VALUES ('a', '1')`);
    const extra = Object.fromEntries(hostileColumns.map((c, i) => [`v${i}`, c]));
    const result = await fetch(t, { extra });
    expect(result.rows).toEqual([
      {
        uid: 'a',
        activate: '1',
        active: true,
        extras: Object.fromEntries(hostileColumns.map((_, i) => [`v${i}`, `v${i}`])),
      },
    ]);
  });

  it('never lets a comment or a look-alike quote in a table name reach another table', async () => {
    const victim = await table('id INT');
    for (const hostile of [
      `x\` /* ${victim} */`,
      `x\` -- \n; DROP TABLE \`${victim}\``,
      `x｀; DROP TABLE ${victim}; --`,
      `x\\\`; DROP TABLE \`${victim}\`; #`,
    ]) {
      const err = await datasourceRejection(fetch(hostile));
      expect(err.code, hostile).toBe('UNKNOWN_TABLE');
      expect(err.message, hostile).toContain('(spec.source.mysql.table)');
    }
    expect(await tableExists(victim)).toBe(true);
  });

  it('does not take a look-alike mapping for the real column: UNKNOWN_COLUMN naming the field', async () => {
    const t = await table('id VARCHAR(8), active CHAR(1)');
    // Cyrillic і (U+0456) and fullwidth ｉｄ look like `id`; MariaDB's collation does not fold them to it.
    for (const lookAlike of ['іd', 'ｉｄ']) {
      const err = await datasourceRejection(
        fetch(t, { mappings: { uid: lookAlike, activate: 'active' } }),
      );
      expect(err.code, lookAlike).toBe('UNKNOWN_COLUMN');
      expect(err.fields, lookAlike).toEqual(['spec.valueMappings.uid']);
      expect(err.message, lookAlike).toContain(JSON.stringify(lookAlike));
    }
  });

  it('a table named like a statement is just a table', async () => {
    const name = `${uniqueName('t', '_')}; SELECT 1`;
    await namedTable(name, 'id VARCHAR(8), active CHAR(1)');
    await admin.query(`INSERT INTO ${admin.escapeId(name)} VALUES ('z', '1')`);
    expect((await fetch(name)).rows.map((r) => r.uid)).toEqual(['z']);
    expect(database).not.toBe('');
  });
});

describe('values of a megabyte', () => {
  const MB = 1024 * 1024;
  let t: string;
  beforeAll(async () => {
    t = await table('id VARCHAR(16), active CHAR(1), big LONGTEXT, bin LONGBLOB');
    // Multi-byte text (3 bytes a character) and every byte value in the blob.
    const text = '€'.repeat(MB / 3) + 'end';
    const bytes = Buffer.alloc(MB, 0);
    for (let i = 0; i < MB; i++) bytes[i] = i % 256;
    await admin.query(`INSERT INTO ${admin.escapeId(t)} VALUES (?, '1', ?, ?)`, [
      'big',
      text,
      bytes,
    ]);
  });

  it('arrives whole and unchanged', async () => {
    const result = await fetch(t, { extra: { big: 'big' } });
    expect(result.problems).toEqual([]);
    const big = result.rows[0]!.extras['big']!;
    expect(big.length).toBe(Math.floor(MB / 3) + 3);
    expect(big.endsWith('€end')).toBe(true);
  });

  it('a blob of invalid UTF-8 becomes U+FFFD in an extra, never a different uid or a crash', async () => {
    const result = await fetch(t, { extra: { bin: 'bin' } });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]!.extras['bin']).toContain('\uFFFD');
  });

  it('past maxResultBytes the sync fails as a whole, saying the limit, and returns no row', async () => {
    const err = await datasourceRejection(
      fetch(t, { extra: { big: 'big' }, limits: { maxResultBytes: 512 * 1024 } }),
    );
    expect(err.code).toBe('RESULT_TOO_LARGE');
    expect(err.message).toContain('maxResultBytes = 524288');
  });
});

describe('uids that are nearly the same', () => {
  it('keeps uids that differ by case, trailing space or normalisation as distinct rows', async () => {
    // utf8mb4_general_ci: 'Acme' = 'acme' = 'acme ' and 'é' = 'é' in comparisons, yet
    // they are different values, and each must stay a row of its own (no silent merge).
    const t = await table(
      'n INT PRIMARY KEY, id VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, active CHAR(1)',
    );
    const uids = ['acme', 'Acme', 'ACME', 'acme ', 'caf\u00e9', 'cafe\u0301', 'a.b', 'a-b', 'a_b'];
    await admin.query(`INSERT INTO ${admin.escapeId(t)} VALUES ?`, [
      uids.map((u, i) => [i + 1, u, '1']),
    ]);
    const result = await fetch(t);
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => r.uid).sort()).toEqual([...uids].sort());
  });

  it('reports exact duplicates and NULL uids as problems, never as nodes', async () => {
    const t = await table('n INT PRIMARY KEY, id VARCHAR(32) NULL, active CHAR(1)');
    await admin.query(
      `INSERT INTO ${admin.escapeId(t)} VALUES (1,'dup','1'),(2,'dup','1'),(3,NULL,'1'),(4,'ok','1')`,
    );
    const result = await fetch(t);
    expect(result.rows.map((r) => r.uid)).toEqual(['ok']);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['DUPLICATE_UID', 'EMPTY_UID']);
  });
});
