import { describe, expect, it } from 'vitest';
import { planColumns } from './column-plan.js';
import { DatasourceError } from './errors.js';
import { RowCollector, normaliseRecords } from './row-collector.js';

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
