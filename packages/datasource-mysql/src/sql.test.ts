import { planColumns } from '@lynq/datasource';
import { describe, expect, it } from 'vitest';
import { buildMysqlSelect, mysqlTableRef } from './sql.js';

describe('buildMysqlSelect', () => {
  it('selects only the mapped columns, quoted, in contract order', () => {
    const plan = planColumns({ uid: 'id', activate: 'on', hostOrUrl: 'url' }, { z: 'zz', a: 'aa' });
    expect(
      buildMysqlSelect(
        plan,
        { database: 'app', table: 'tenants', databaseField: 'spec.source.mysql.database' },
        'spec.source.mysql.table',
      ),
    ).toBe('SELECT `id`, `on`, `url`, `aa`, `zz` FROM `app`.`tenants`');
  });

  it('keeps hostile names inside their identifiers', () => {
    const plan = planColumns({ uid: 'id` FROM x; --', activate: 'a' });
    expect(
      buildMysqlSelect(
        plan,
        {
          database: 'd',
          table: 'x`; DROP TABLE y; --',
          databaseField: 'spec.source.mysql.database',
        },
        'spec.source.mysql.table',
      ),
    ).toBe('SELECT `id`` FROM x; --`, `a` FROM `d`.`x``; DROP TABLE y; --`');
  });

  it('names the field of an impossible identifier', () => {
    const plan = planColumns({ uid: 'id', activate: 'a' }, { v: 'x'.repeat(65) });
    expect(() =>
      buildMysqlSelect(plan, mysqlTableRef('d', 't'), 'spec.source.mysql.table'),
    ).toThrow(/^spec\.extraValueMappings\.v: "x+" is 65 characters long; MySQL allows at most 64$/);
  });
});

describe('mysqlTableRef', () => {
  it('reads db.table as Lynq did, anything else as one name', () => {
    const own = 'spec.source.mysql.database';
    const fromTable = 'spec.source.mysql.table';
    expect(mysqlTableRef('app', 'tenants')).toEqual({
      database: 'app',
      table: 'tenants',
      databaseField: own,
    });
    expect(mysqlTableRef('app', 'other.tenants')).toEqual({
      database: 'other',
      table: 'tenants',
      databaseField: fromTable,
    });
    expect(mysqlTableRef('app', 'a.b.c')).toEqual({
      database: 'app',
      table: 'a.b.c',
      databaseField: own,
    });
    expect(mysqlTableRef('app', '.tenants')).toEqual({
      database: 'app',
      table: '.tenants',
      databaseField: own,
    });
  });

  it('reports a bad database part of db.table under spec.source.mysql.table', () => {
    const plan = planColumns({ uid: 'id', activate: 'a' });
    const build = (database: string, table: string) => () =>
      buildMysqlSelect(plan, mysqlTableRef(database, table), 'spec.source.mysql.table');
    expect(build('app', 'a\0.tenants')).toThrow(
      expect.objectContaining({ fields: ['spec.source.mysql.table'] }),
    );
    expect(build('app', 'tenants\0')).toThrow(
      expect.objectContaining({ fields: ['spec.source.mysql.table'] }),
    );
    expect(build('a\0', 'tenants')).toThrow(
      expect.objectContaining({ fields: ['spec.source.mysql.database'] }),
    );
  });
});
