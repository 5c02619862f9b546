// What the PostgreSQL datasource makes of awkward values and large or slow results: CHAR
// padding, uids that are not UTF-8, variables named like prototype members, the result-size
// limits and the query timeout as time without rows.
import { type Datasource, type FetchResult } from '@lynq/datasource';
import { datasourceRejection } from '@lynq/datasource/testing';
import { createPgSchema, uniqueName, waitFor, type PgSchema } from '@lynq/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatasource } from './pg-datasource.js';
import { adminClient, pgContext, serverSource, type ContextOptions } from './testing/fixtures.js';

let admin: pg.Client;
let fixture: PgSchema;
let schema: string;
const open: Datasource[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  admin = await adminClient();
  fixture = await createPgSchema({ prefix: 'lynq_rows' });
  schema = fixture.schema;
});

afterAll(async () => {
  for (const d of open) await d.close();
  for (const c of cleanups.reverse()) await c();
  await fixture.drop();
  await admin.end();
});

const q = (name: string) => admin.escapeIdentifier(name);
const t = (name: string) => `${q(schema)}.${q(name)}`;

async function datasource(table: string, options: ContextOptions = {}): Promise<Datasource> {
  const ds = await createPgDatasource(pgContext(schema, table, options));
  open.push(ds);
  return ds;
}

const fetch = (ds: Datasource) => ds.fetchRows(new AbortController().signal);
const problemsOf = (result: FetchResult) =>
  result.problems.map((p) => [p.code, p.uid, p.rowNumbers]);

/** Sessions of this test's datasources still running a statement that mentions `text`. */
async function running(text: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'lynq' AND state = 'active' AND position($1 in query) > 0`,
    [text],
  );
  return rows[0]!.n;
}

describe('PostgreSQL datasource: CHAR(n) padding', () => {
  it('strips the padding of char(n) columns, as MySQL does, and keeps it in varchar and text', async () => {
    await admin.query(
      `CREATE TABLE ${t('padded')} (id char(8), active char(3), plan char(6), v varchar(8), tx text, one char)`,
    );
    await admin.query(
      `INSERT INTO ${t('padded')} VALUES ('acme', '1', 'gold', 'x  ', 'y  ', 'z'), ('  ', '1', NULL, NULL, NULL, NULL)`,
    );
    const result = await fetch(
      await datasource('padded', { extra: { plan: 'plan', v: 'v', tx: 'tx', one: 'one' } }),
    );
    expect(result.rows).toEqual([
      {
        uid: 'acme',
        activate: '1',
        active: true,
        extras: { plan: 'gold', v: 'x  ', tx: 'y  ', one: 'z' },
      },
    ]);
    // A uid of only padding is empty, not a blank uid "        ".
    expect(problemsOf(result)).toEqual([['EMPTY_UID', '', [2]]]);
  });
});

describe('PostgreSQL datasource: uids that are not valid UTF-8', () => {
  it('reports a bytea uid that is not UTF-8 and keeps the genuine "acme\\uFFFD"', async () => {
    await admin.query(`CREATE TABLE ${t('bytes')} (id bytea, active text)`);
    await admin.query(
      `INSERT INTO ${t('bytes')} VALUES ('\\x61636d65ff', '1'), ('\\x61636d65fe', '1'),
        (convert_to('acme' || chr(65533), 'UTF8'), '1'), ('\\x6f6b', '1')`,
    );
    const result = await fetch(await datasource('bytes'));
    expect(result.rows.map((r) => r.uid)).toEqual(['acme\uFFFD', 'ok']);
    expect(problemsOf(result)).toEqual([
      ['INVALID_UID_ENCODING', '\\x61636d65ff', [1]],
      ['INVALID_UID_ENCODING', '\\x61636d65fe', [2]],
    ]);
    expect(result.problems[0]!.message).toBe(
      '1 row has a uid in column "id" that is not valid UTF-8 (bytes \\x61636d65ff; row 1); skipped',
    );
  });

  it('reports a text uid that is not UTF-8 in a SQL_ASCII database', async () => {
    const database = uniqueName('lynq_ascii', '_');
    await admin.query(
      `CREATE DATABASE ${q(database)} ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`,
    );
    cleanups.push(async () => {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      await admin.query(`DROP DATABASE IF EXISTS ${q(database)}`);
    });
    const ascii = new pg.Client({ ...serverSource(), user: serverSource().username, database });
    await ascii.connect();
    try {
      await ascii.query(`CREATE TABLE tenants (id text, active text, plan text)`);
      await ascii.query(
        `INSERT INTO tenants VALUES (E'acme\\xff', '1', 'a'), (E'acme\\xfe', '1', 'b'),
          (E'acme\\xef\\xbf\\xbd', '1', 'c'), ('ok', '1', E'd\\xff')`,
      );
    } finally {
      await ascii.end();
    }
    const ds = await createPgDatasource(
      pgContext('public', 'tenants', { source: { database }, extra: { plan: 'plan' } }),
    );
    open.push(ds);
    const result = await fetch(ds);
    expect(result.rows).toEqual([
      { uid: 'acme\uFFFD', activate: '1', active: true, extras: { plan: 'c' } },
      { uid: 'ok', activate: '1', active: true, extras: { plan: 'd\uFFFD' } },
    ]);
    expect(problemsOf(result)).toEqual([
      ['INVALID_UID_ENCODING', '\\x61636d65ff', [1]],
      ['INVALID_UID_ENCODING', '\\x61636d65fe', [2]],
    ]);
  });
});

describe('PostgreSQL datasource: variable names', () => {
  it('keeps an extra variable named __proto__', async () => {
    await admin.query(`CREATE TABLE ${t('proto')} (id text, active text, plan text)`);
    await admin.query(`INSERT INTO ${t('proto')} VALUES ('acme', '1', 'gold')`);
    const extra = JSON.parse('{"__proto__": "plan", "constructor": "id"}') as Record<
      string,
      string
    >;
    const [row] = (await fetch(await datasource('proto', { extra }))).rows;
    expect(Object.entries(row!.extras)).toEqual([
      ['__proto__', 'gold'],
      ['constructor', 'acme'],
    ]);
  });
});

describe('PostgreSQL datasource: result-size limits', () => {
  it('fails a fetch with more rows than maxRows, never returning part of them', async () => {
    await admin.query(
      `CREATE TABLE ${t('ten')} AS SELECT 'u' || i AS id, '1' AS active FROM generate_series(1, 10) i`,
    );
    const ds = await datasource('ten', { limits: { maxRows: 9 } });
    const err = await datasourceRejection(fetch(ds));
    expect(err).toMatchObject({ code: 'RESULT_TOO_LARGE', retryable: false });
    expect(err.message).toBe(
      `hub default/hub-under-test: ${schema}.ten has more than 9 rows (datasource limit maxRows = 9); the fetch failed and no rows were used. Raise maxRows in the operator's datasource limits, or select fewer rows or smaller values (e.g. through a view)`,
    );
    expect(ds.describe().health.lastError?.code).toBe('RESULT_TOO_LARGE');
    // The pooled connection was dropped with the statement; the next fetch works.
    const exact = await datasource('ten', { limits: { maxRows: 10 } });
    expect((await fetch(exact)).rows).toHaveLength(10);
  });

  it('stops reading large rows at maxResultBytes while the result streams in', async () => {
    // 30 rows of 5 MB (the size that peaked at 264 MiB before); after 20 rows the view stalls
    // for 60 s, so a driver that waited for the whole result could not fail quickly.
    await admin.query(
      `CREATE VIEW ${t('huge')} AS SELECT 'u' || i AS id, '1' AS active, repeat('x', 5000000) AS blob
         FROM generate_series(1, 30) i WHERE i <= 20 OR pg_sleep(60) IS NOT NULL`,
    );
    const ds = await datasource('huge', { extra: { blob: 'blob' } });
    const started = Date.now();
    const err = await datasourceRejection(fetch(ds));
    expect(err.code).toBe('RESULT_TOO_LARGE');
    expect(err.message).toContain(
      `${schema}.huge holds more than 64 MiB in its first 14 rows (datasource limit maxResultBytes = 67108864)`,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    // The statement is cancelled on the server, not left sleeping.
    await waitFor('the statement to stop', async () => (await running('huge')) === 0 || undefined, {
      timeoutMs: 5000,
    });
  }, 30_000);
});

describe('PostgreSQL datasource: queryTimeoutMs is time without rows', () => {
  it('lets a result that keeps streaming run longer than queryTimeoutMs', async () => {
    // 20 rows, one every 50 ms (each over 8 KB, so the server sends it at once): about 1 s in
    // all, never 300 ms without a row.
    await admin.query(
      `CREATE VIEW ${t('trickle')} AS SELECT 'u' || i AS id, '1' AS active, repeat('x', 10000) AS pad
         FROM generate_series(1, 20) i WHERE pg_sleep(0.05) IS NOT NULL`,
    );
    const ds = await datasource('trickle', {
      extra: { pad: 'pad' },
      limits: { queryTimeoutMs: 300 },
    });
    const started = Date.now();
    const result = await fetch(ds);
    expect(result.rows).toHaveLength(20);
    expect(Date.now() - started).toBeGreaterThan(600);
  }, 20_000);

  it('times out when rows stop arriving, and cancels the statement', async () => {
    await admin.query(
      `CREATE VIEW ${t('stall')} AS SELECT 'u' || i AS id, '1' AS active, repeat('x', 10000) AS pad
         FROM generate_series(1, 5) i WHERE i < 3 OR pg_sleep(30) IS NOT NULL`,
    );
    const ds = await datasource('stall', {
      extra: { pad: 'pad' },
      limits: { queryTimeoutMs: 300 },
    });
    const started = Date.now();
    const err = await datasourceRejection(fetch(ds));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      `reading ${schema}.stall timed out: no row received for 300 ms (queryTimeoutMs)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(
      'the statement to stop',
      async () => (await running('stall')) === 0 || undefined,
      {
        timeoutMs: 5000,
      },
    );
  }, 20_000);
});
