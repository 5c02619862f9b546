// Hostile hubs and rows against a real PostgreSQL: names that try to end an identifier, comment
// out the rest of the statement or pass for another name (PostgreSQL folds unquoted names to
// lower case, so `ID` and `id` are different quoted names); values of a megabyte; uids that differ
// only by case, spaces or Unicode normalisation.
import { type Datasource, type FetchResult } from '@lynq/datasource';
import { datasourceRejection } from '@lynq/datasource/testing';
import { createPgSchema, type PgSchema } from '@lynq/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatasource } from './pg-datasource.js';
import { adminClient, pgContext, type ContextOptions } from './testing/fixtures.js';

let admin: pg.Client;
let fixture: PgSchema;
let schema: string;
const open: Datasource[] = [];

beforeAll(async () => {
  admin = await adminClient();
  fixture = await createPgSchema({ prefix: 'lynq_hx' });
  schema = fixture.schema;
});

afterAll(async () => {
  for (const d of open) await d.close();
  await fixture.drop();
  await admin.end();
});

const q = (name: string) => admin.escapeIdentifier(name);
const t = (name: string) => `${q(schema)}.${q(name)}`;

async function fetch(table: string, options: ContextOptions = {}): Promise<FetchResult> {
  const ds = await createPgDatasource(pgContext(schema, table, options));
  open.push(ds);
  return ds.fetchRows(new AbortController().signal);
}

async function exists(table: string): Promise<boolean> {
  const { rows } = await admin.query<{ r: string | null }>(`SELECT to_regclass($1) AS r`, [
    `${q(schema)}.${q(table)}`,
  ]);
  return rows[0]!.r !== null;
}

describe('names that try to leave their identifier', () => {
  const hostileColumns = [
    'id -- rest',
    'id /* c */',
    'id;',
    "a'b",
    'a\\',
    'new\nline',
    'ID', // not `id`: quoted names keep their case
    'fw＂quote', // U+FF02 FULLWIDTH QUOTATION MARK: a look-alike of the quote character
    '$1', // a parameter placeholder as a name
  ];

  it('reads columns named with comments, terminators, placeholders, newlines and look-alike quotes', async () => {
    await admin.query(
      `CREATE TABLE ${t('cols')} (id text, active text, ${hostileColumns
        .map((c, i) => `${q(c)} text DEFAULT 'v${i}'`)
        .join(', ')})`,
    );
    await admin.query(`INSERT INTO ${t('cols')} (id, active) VALUES ('a', '1')`);
    const extra = Object.fromEntries(hostileColumns.map((c, i) => [`v${i}`, c]));
    const result = await fetch('cols', { extra });
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
    await admin.query(`CREATE TABLE ${t('victim')} (id int)`);
    for (const hostile of [
      `x" /* victim */`,
      `x" --\n; DROP TABLE ${q(schema)}.victim`,
      `x＂; DROP TABLE ${q(schema)}.victim; --`,
      `x\\"; DROP TABLE ${q(schema)}.victim; --`,
    ]) {
      const err = await datasourceRejection(fetch(hostile));
      expect(err.code, hostile).toBe('UNKNOWN_TABLE');
    }
    expect(await exists('victim')).toBe(true);
  });

  it('does not take a look-alike or differently cased mapping for the real column', async () => {
    await admin.query(`CREATE TABLE ${t('plain')} (id text, active text)`);
    for (const lookAlike of ['іd', 'ｉｄ', 'Id']) {
      const err = await datasourceRejection(
        fetch('plain', { mappings: { uid: lookAlike, activate: 'active' } }),
      );
      expect(err.code, lookAlike).toBe('UNKNOWN_COLUMN');
      expect(err.fields, lookAlike).toEqual(['spec.valueMappings.uid']);
    }
  });

  it('refuses a NUL in a name before connecting, naming the field', async () => {
    await expect(
      createPgDatasource(pgContext(schema, 'plain', { extra: { v: 'a\0b' } })),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG', fields: ['spec.extraValueMappings.v'] });
  });
});

describe('values of a megabyte', () => {
  const MB = 1024 * 1024;
  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${t('big')} (id text, active text, big text, bin bytea)`);
    const text = '€'.repeat(MB / 3) + 'end';
    const bytes = Buffer.alloc(MB);
    for (let i = 0; i < MB; i++) bytes[i] = i % 256;
    await admin.query(`INSERT INTO ${t('big')} VALUES ('big', '1', $1, $2)`, [text, bytes]);
  });

  it('arrives whole and unchanged', async () => {
    const result = await fetch('big', { extra: { big: 'big' } });
    const big = result.rows[0]!.extras['big']!;
    expect(big.length).toBe(Math.floor(MB / 3) + 3);
    expect(big.endsWith('€end')).toBe(true);
  });

  it('a bytea of invalid UTF-8 in an extra is read without a crash', async () => {
    const result = await fetch('big', { extra: { bin: 'bin' } });
    expect(result.rows).toHaveLength(1);
    expect(typeof result.rows[0]!.extras['bin']).toBe('string');
  });

  it('past maxResultBytes the sync fails as a whole, saying the limit', async () => {
    const err = await datasourceRejection(
      fetch('big', { extra: { big: 'big' }, limits: { maxResultBytes: 512 * 1024 } }),
    );
    expect(err.code).toBe('RESULT_TOO_LARGE');
    expect(err.message).toContain('maxResultBytes = 524288');
  });
});

describe('uids that are nearly the same', () => {
  it('keeps uids that differ by case, trailing space or normalisation as distinct rows', async () => {
    await admin.query(`CREATE TABLE ${t('near')} (n int PRIMARY KEY, id text, active text)`);
    const uids = ['acme', 'Acme', 'ACME', 'acme ', 'caf\u00e9', 'cafe\u0301', 'a.b', 'a-b', 'a_b'];
    for (const [i, u] of uids.entries())
      await admin.query(`INSERT INTO ${t('near')} VALUES ($1, $2, '1')`, [i + 1, u]);
    const result = await fetch('near');
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => r.uid).sort()).toEqual([...uids].sort());
  });

  it('reports exact duplicates and NULL uids as problems, never as nodes', async () => {
    await admin.query(`CREATE TABLE ${t('dups')} (n int PRIMARY KEY, id text, active text)`);
    await admin.query(
      `INSERT INTO ${t('dups')} VALUES (1,'dup','1'),(2,'dup','1'),(3,NULL,'1'),(4,'ok','1')`,
    );
    const result = await fetch('dups');
    expect(result.rows.map((r) => r.uid)).toEqual(['ok']);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['DUPLICATE_UID', 'EMPTY_UID']);
  });
});
