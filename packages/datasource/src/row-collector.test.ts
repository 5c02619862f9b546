import { describe, expect, it } from 'vitest';
import { planColumns } from './column-plan.js';
import { DEFAULT_RESULT_LIMITS } from './contract.js';
import { DatasourceError } from './errors.js';
import { RowCollector, normaliseRecords } from './row-collector.js';
import { InvalidUtf8 } from './values.js';

const plan = planColumns({ uid: 'id', activate: 'on', hostOrUrl: 'url' }, { plan: 'p' });

function collect(rows: (string | null)[][]) {
  const c = new RowCollector(plan);
  for (const r of rows) c.add(r);
  return c.finish();
}

describe('RowCollector', () => {
  it('normalises values: NULL → "", activate → active', () => {
    const result = collect([
      ['a', '1', 'a.example.com', 'gold'],
      ['b', null, null, null],
      ['c', 'Yes', '', 'x'],
      ['d', 'yes ', '', 'x'],
    ]);
    expect(result.rows).toEqual([
      {
        uid: 'a',
        activate: '1',
        active: true,
        hostOrUrl: 'a.example.com',
        extras: { plan: 'gold' },
      },
      { uid: 'b', activate: '', active: false, hostOrUrl: '', extras: { plan: '' } },
      { uid: 'c', activate: 'Yes', active: true, hostOrUrl: '', extras: { plan: 'x' } },
      { uid: 'd', activate: 'yes ', active: false, hostOrUrl: '', extras: { plan: 'x' } },
    ]);
    expect(result.problems).toEqual([]);
    expect(result.totalRows).toBe(4);
  });

  it('omits hostOrUrl when it is not mapped', () => {
    const c = new RowCollector(planColumns({ uid: 'id', activate: 'on' }));
    c.add(['a', 'true']);
    expect(c.finish().rows).toEqual([{ uid: 'a', activate: 'true', active: true, extras: {} }]);
  });

  it('reports empty and blank uids with their rows instead of dropping them silently', () => {
    const result = collect([
      ['a', '1', null, null],
      [null, '1', null, null],
      ['', '1', null, null],
      ['  ', '1', null, null],
    ]);
    expect(result.rows.map((r) => r.uid)).toEqual(['a']);
    expect(result.totalRows).toBe(4);
    expect(result.problems).toEqual([
      {
        code: 'EMPTY_UID',
        uid: '',
        count: 2,
        rowNumbers: [2, 3],
        message: '2 rows have an empty or NULL uid in column "id" (rows 2, 3); skipped',
      },
      {
        code: 'EMPTY_UID',
        uid: '  ',
        count: 1,
        rowNumbers: [4],
        message: '1 row has a blank uid "  " in column "id" (row 4); skipped',
      },
    ]);
  });

  it('reports every row of a duplicated uid and keeps none of them', () => {
    const rows: (string | null)[][] = [['dup', '1', null, 'first']];
    for (let i = 0; i < 12; i++) rows.push([`u${i}`, '1', null, null]);
    for (let i = 0; i < 11; i++) rows.push(['dup', '0', null, `again${i}`]);
    const result = collect(rows);
    expect(result.rows.map((r) => r.uid)).toEqual(Array.from({ length: 12 }, (_, i) => `u${i}`));
    expect(result.totalRows).toBe(24);
    expect(result.problems).toHaveLength(1);
    const [p] = result.problems;
    expect(p).toMatchObject({ code: 'DUPLICATE_UID', uid: 'dup', count: 12 });
    expect(p!.rowNumbers).toEqual([1, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    expect(p!.message).toBe(
      'uid "dup" appears in 12 rows (rows 1, 14, 15, 16, 17, 18, 19, 20, 21, 22 and 2 more); skipped, existing nodes for it are kept unchanged',
    );
  });

  it('treats uids as exact strings (case and unicode are significant)', () => {
    const result = collect([
      ['Acme', '1', null, null],
      ['acme', '1', null, null],
      ['café', '1', null, null],
      ['cafe\u0301', '1', null, null],
    ]);
    expect(result.rows).toHaveLength(4);
    expect(result.problems).toEqual([]);
  });
});

describe('normaliseRecords', () => {
  it('stringifies values and reads columns by name', () => {
    const result = normaliseRecords(
      [{ id: 7, on: true, url: null, p: new Date(Date.UTC(2024, 0, 2)), ignored: 'x' }],
      plan,
      { table: 'file.csv' },
    );
    expect(result.rows).toEqual([
      {
        uid: '7',
        activate: 'true',
        active: true,
        hostOrUrl: '',
        extras: { plan: '2024-01-02T00:00:00Z' },
      },
    ]);
  });
  it('fails with UNKNOWN_COLUMN naming the mapping when a column is missing', () => {
    let error: unknown;
    try {
      normaliseRecords([{ id: '1', on: '1', url: '' }], plan, { table: 'file.csv', type: 'csv' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatasourceError);
    expect((error as DatasourceError).code).toBe('UNKNOWN_COLUMN');
    expect((error as DatasourceError).message).toBe(
      'column "p" (spec.extraValueMappings.plan) does not exist in table file.csv',
    );
  });
});

describe('RowCollector: uids that are not valid UTF-8', () => {
  const bytes = (hex: string) => new InvalidUtf8(Buffer.from(hex, 'hex'));

  it('reports each one by its bytes and rows, without blocking the genuine "acme\\uFFFD"', () => {
    const c = new RowCollector(plan);
    c.add([bytes('61636d65ff'), '1', null, null]); // acme + 0xFF
    c.add([bytes('61636d65fe'), '1', null, null]); // acme + 0xFE: another byte string
    c.add(['acme\uFFFD', '1', null, null]); // what a lossy decoder would have made of both
    c.add([bytes('61636d65ff'), '0', null, null]);
    const result = c.finish();
    expect(result.rows).toEqual([
      { uid: 'acme\uFFFD', activate: '1', active: true, hostOrUrl: '', extras: { plan: '' } },
    ]);
    expect(result.totalRows).toBe(4);
    expect(result.problems).toEqual([
      {
        code: 'INVALID_UID_ENCODING',
        uid: '\\x61636d65ff',
        count: 2,
        rowNumbers: [1, 4],
        message:
          '2 rows have a uid in column "id" that is not valid UTF-8 (bytes \\x61636d65ff; rows 1, 4); skipped',
      },
      {
        code: 'INVALID_UID_ENCODING',
        uid: '\\x61636d65fe',
        count: 1,
        rowNumbers: [2],
        message:
          '1 row has a uid in column "id" that is not valid UTF-8 (bytes \\x61636d65fe; row 2); skipped',
      },
    ]);
  });

  it('uses other columns with U+FFFD for the bad bytes (never active by accident)', () => {
    const c = new RowCollector(plan);
    c.add(['a', bytes('31ff'), bytes('68ff'), bytes('ff')]);
    expect(c.finish().rows).toEqual([
      {
        uid: 'a',
        activate: '1\uFFFD',
        active: false,
        hostOrUrl: 'h\uFFFD',
        extras: { plan: '\uFFFD' },
      },
    ]);
  });

  it('comes from bytes through normaliseRecords', () => {
    const result = normaliseRecords(
      [
        { id: Buffer.from('61636d65ff', 'hex'), on: '1', url: '', p: '' },
        { id: Buffer.from('acme\uFFFD'), on: '1', url: '', p: '' },
      ],
      plan,
      { table: 'file.csv' },
    );
    expect(result.rows.map((r) => r.uid)).toEqual(['acme\uFFFD']);
    expect(result.problems.map((p) => [p.code, p.uid, p.rowNumbers])).toEqual([
      ['INVALID_UID_ENCODING', '\\x61636d65ff', [1]],
    ]);
  });
});

describe('RowCollector: variables named like Object.prototype members', () => {
  it('keeps a variable named __proto__ (and constructor) as an ordinary extra', () => {
    const extra = JSON.parse(
      '{"__proto__": "plan", "constructor": "c", "toString": "t"}',
    ) as Record<string, string>;
    const protoPlan = planColumns({ uid: 'id', activate: 'on' }, extra);
    expect(protoPlan.columns).toEqual(['id', 'on', 'plan', 'c', 't']);
    const c = new RowCollector(protoPlan);
    c.add(['a', '1', 'gold', 'k', 's']);
    const [row] = c.finish().rows;
    expect(Object.keys(row!.extras)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(row!.extras, '__proto__')?.value).toBe('gold');
    expect(row!.extras['constructor']).toBe('k');
    expect(JSON.stringify(row!.extras)).toBe(
      '{"__proto__":"gold","constructor":"k","toString":"s"}',
    );
    expect(({} as Record<string, unknown>)['gold']).toBeUndefined();
  });
});

describe('RowCollector: result-size limits', () => {
  const small = planColumns({ uid: 'id', activate: 'on' });
  const where = { hub: 'ns/hub', type: 'postgresql', source: 'public.tenants' };

  it('fails on the row past maxRows, counting rows with problems too', () => {
    const c = new RowCollector(small, { ...where, limits: { maxRows: 3 } });
    c.add(['a', '1']);
    c.add([null, '1']);
    c.add(['a', '1']);
    let error: unknown;
    try {
      c.add(['b', '1']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatasourceError);
    expect(error).toMatchObject({
      code: 'RESULT_TOO_LARGE',
      retryable: false,
      hub: 'ns/hub',
      type: 'postgresql',
      message:
        "hub ns/hub: public.tenants has more than 3 rows (datasource limit maxRows = 3); the fetch failed and no rows were used. Raise maxRows in the operator's datasource limits, or select fewer rows or smaller values (e.g. through a view)",
    });
  });

  it('fails as soon as the values read pass maxResultBytes', () => {
    const c = new RowCollector(small, { ...where, limits: { maxResultBytes: 2048 } });
    const big = 'x'.repeat(1000);
    c.add(['a', big]); // 1001 bytes
    c.add(['b', big]); // 2002 bytes
    // 31 characters but 61 bytes: counted in UTF-8, it passes the limit.
    expect(() => c.add(['c', 'é'.repeat(30)])).toThrow(
      'hub ns/hub: public.tenants holds more than 2 KiB in its first 3 rows (datasource limit maxResultBytes = 2048)',
    );
  });

  it('applies the defaults when no limits are given', () => {
    const c = new RowCollector(small);
    for (let i = 0; i < DEFAULT_RESULT_LIMITS.maxRows; i++) c.add([`u${i}`, '1']);
    expect(() => c.add(['one-more', '1'])).toThrow(
      expect.objectContaining({ code: 'RESULT_TOO_LARGE' }),
    );
  });

  it('caps normaliseRecords with the limits it is given', () => {
    const records = Array.from({ length: 5 }, (_, i) => ({ id: `u${i}`, on: '1' }));
    expect(() =>
      normaliseRecords(records, small, { table: 'file.csv', limits: { maxRows: 4 } }),
    ).toThrow('file.csv has more than 4 rows');
    expect(normaliseRecords(records, small, { table: 'file.csv' }).rows).toHaveLength(5);
  });
});
