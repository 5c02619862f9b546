import { planColumns } from '@lynq/datasource';
import { describe, expect, it } from 'vitest';
import { buildMysqlSelect, mysqlTableRef } from './sql.js';

describe('buildMysqlSelect', () => {
  it('selects only the mapped columns, quoted, in contract order', () => {
    const plan = planColumns({ uid: 'id', activate: 'on', hostOrUrl: 'url' }, { z: 'zz', a: 'aa' });
    expect(
      buildMysqlSelect(plan, { database: 'app', table: 'tenants' }, 'spec.source.mysql.table'),
    ).toBe('SELECT `id`, `on`, `url`, `aa`, `zz` FROM `app`.`tenants`');
  });

  it('keeps hostile names inside their identifiers', () => {
    const plan = planColumns({ uid: 'id` FROM x; --', activate: 'a' });
    expect(
      buildMysqlSelect(
        plan,
        { database: 'd', table: 'x`; DROP TABLE y; --' },
        'spec.source.mysql.table',
      ),
    ).toBe('SELECT `id`` FROM x; --`, `a` FROM `d`.`x``; DROP TABLE y; --`');
  });

  it('names the field of an impossible identifier', () => {
    const plan = planColumns({ uid: 'id', activate: 'a' }, { v: 'x'.repeat(65) });
    expect(() =>
      buildMysqlSelect(plan, { database: 'd', table: 't' }, 'spec.source.mysql.table'),
    ).toThrow(/^spec\.extraValueMappings\.v: "x+" is 65 characters long; MySQL allows at most 64$/);
  });
});

describe('mysqlTableRef', () => {
  it('reads db.table as Lynq did, anything else as one name', () => {
    expect(mysqlTableRef('app', 'tenants')).toEqual({ database: 'app', table: 'tenants' });
    expect(mysqlTableRef('app', 'other.tenants')).toEqual({ database: 'other', table: 'tenants' });
    expect(mysqlTableRef('app', 'a.b.c')).toEqual({ database: 'app', table: 'a.b.c' });
    expect(mysqlTableRef('app', '.tenants')).toEqual({ database: 'app', table: '.tenants' });
  });
});
