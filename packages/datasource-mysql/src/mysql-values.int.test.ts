// Values that used to arrive changed: ZEROFILL numbers, bytes that are not UTF-8, CHAR padding.
import type { Datasource, FetchResult } from '@lynq/datasource';
import { createMysqlTable, type MysqlTable } from '@lynq/testkit';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import { adminConnection, mysqlContext, type ContextOptions } from './testing/fixtures.js';

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

async function table(ddl: string, rows: string): Promise<string> {
  const t = await createMysqlTable(ddl, { prefix: 'lynq_ds' });
  tables.push(t);
  await admin.query(`INSERT INTO ${admin.escapeId(t.table)} VALUES ${rows}`);
  return t.table;
}

async function fetch(tableName: string, options: ContextOptions = {}): Promise<FetchResult> {
  const ds = await createMysqlDatasource(mysqlContext(tableName, options));
  open.push(ds);
  return ds.fetchRows(new AbortController().signal);
}

describe('MySQL datasource: ZEROFILL', () => {
  it('returns the zero-padded text the server sends, as Lynq sees it', async () => {
    const t = await table(
      `id INT(6) ZEROFILL, active TINYINT(3) ZEROFILL, small SMALLINT(4) ZEROFILL,
       medium MEDIUMINT(5) ZEROFILL, big BIGINT(8) ZEROFILL, price DECIMAL(6,2) ZEROFILL,
       f FLOAT(7,2) ZEROFILL, d DOUBLE ZEROFILL, y YEAR, plain INT`,
      `(42, 1, 7, 12, 7, 1.5, 3.5, 2.25, 2024, 5), (7, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
    );
    const extra = Object.fromEntries(
      ['small', 'medium', 'big', 'price', 'f', 'd', 'y', 'plain'].map((c) => [c, c]),
    );
    const result = await fetch(t, { extra });
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      {
        uid: '000042',
        activate: '001',
        active: false, // `001` is not in Lynq's truthy set
        extras: {
          small: '0007',
          medium: '00012',
          big: '00000007',
          price: '0001.50',
          f: '0003.50',
          d: '0000000000000000002.25',
          y: '2024',
          plain: '5',
        },
      },
      {
        uid: '000007',
        activate: '000',
        active: false,
        extras: {
          small: '0000',
          medium: '00000',
          big: '00000000',
          price: '0000.00',
          f: '0000.00',
          d: '0000000000000000000000',
          y: '0000',
          plain: '0',
        },
      },
    ]);
  });
});

describe('MySQL datasource: bytes that are not UTF-8', () => {
  let t: string;
  beforeAll(async () => {
    t = await table(
      'n INT PRIMARY KEY, id VARBINARY(16), active VARBINARY(8), plan VARBINARY(16)',
      `(1, 0x61636D65FF, '1', 'gold'),
       (2, 0x61636D65FE, '1', 'gold'),
       (3, 0x61636D65EFBFBD, '1', 'gold'),
       (4, 0x61636D65FF, '1', 'gold'),
       (5, 'beta', 0x31FF, 'silver'),
       (6, 'gamma', '1', 0x676F6C64FF)`,
    );
  });

  it('reports a uid that is not valid UTF-8 as a row problem, never as a different uid', async () => {
    const result = await fetch(t, { extra: { plan: 'plan' } });
    expect(result.totalRows).toBe(6);
    // The genuine `acme\uFFFD` stays a row of its own, not a duplicate of the invalid ones.
    expect(result.rows.map((r) => r.uid)).toEqual(['acme\uFFFD', 'beta', 'gamma']);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'INVALID_UID_ENCODING',
        uid: '\\x61636d65ff',
        count: 2,
        rowNumbers: [1, 4],
      }),
      expect.objectContaining({
        code: 'INVALID_UID_ENCODING',
        uid: '\\x61636d65fe',
        count: 1,
        rowNumbers: [2],
      }),
    ]);
    expect(result.problems[0]!.message).toContain('rows 1, 4');
  });

  it('never makes such an activate value truthy, and decodes extras with U+FFFD', async () => {
    const result = await fetch(t, { extra: { plan: 'plan' } });
    const byUid = Object.fromEntries(result.rows.map((r) => [r.uid, r]));
    expect(byUid['beta']).toMatchObject({ activate: '1\uFFFD', active: false });
    expect(byUid['gamma']).toMatchObject({ active: true, extras: { plan: 'gold\uFFFD' } });
  });
});

describe('MySQL datasource: CHAR', () => {
  it('reads CHAR without its trailing spaces, as Lynq does', async () => {
    const t = await table('id CHAR(8), active CHAR(3), tag CHAR(6)', `('acme', '1', ' x  ')`);
    const result = await fetch(t, { extra: { tag: 'tag' } });
    expect(result.rows).toEqual([
      { uid: 'acme', activate: '1', active: true, extras: { tag: ' x' } },
    ]);
  });
});
