import { planColumns } from '@lynq/datasource';
import { describe, expect, it } from 'vitest';
import { changeTriggerSql } from './change-trigger.js';
import { buildPgSelect, pgLiteral } from './sql.js';

describe('buildPgSelect', () => {
  it('selects only the mapped columns of schema.table, quoted', () => {
    const plan = planColumns({ uid: 'Id', activate: 'on' }, { plan: 'plan' });
    expect(buildPgSelect(plan, 'public', 'Tenants')).toBe(
      'SELECT "Id", "on", "plan" FROM "public"."Tenants"',
    );
  });

  it('adds the uid as stored bytes when asked (SQL_ASCII databases)', () => {
    const plan = planColumns({ uid: 'id', activate: 'on' });
    expect(buildPgSelect(plan, 'public', 't', { uidBytes: true })).toBe(
      `SELECT "id", "on", convert_to("id"::text, 'SQL_ASCII') FROM "public"."t"`,
    );
  });

  it('keeps hostile names inside their identifiers', () => {
    const plan = planColumns({ uid: 'id" FROM x; --', activate: 'a' });
    expect(buildPgSelect(plan, 's"; DROP SCHEMA s; --', 't')).toBe(
      'SELECT "id"" FROM x; --", "a" FROM "s""; DROP SCHEMA s; --"."t"',
    );
  });
});

describe('pgLiteral', () => {
  it('doubles quotes and protects backslashes', () => {
    expect(pgLiteral("it's")).toBe("'it''s'");
    expect(pgLiteral('a\\')).toBe("E'a\\\\'");
    expect(pgLiteral("a\\'; DROP")).toBe("E'a\\\\''; DROP'");
  });
});

describe('changeTriggerSql', () => {
  it('passes the channel as a trigger argument, never inside the function body', () => {
    const sql = changeTriggerSql({ schema: 'app', table: "t$lynq$'" });
    expect(sql).toContain(
      'CREATE OR REPLACE FUNCTION "app"."lynq_notify_change"() RETURNS trigger',
    );
    expect(sql).toContain('AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "app"."t$lynq$\'"');
    expect(sql).toContain(
      `FOR EACH STATEMENT EXECUTE FUNCTION "app"."lynq_notify_change"('lynq:app.t$lynq$''');`,
    );
    const body = sql.slice(sql.indexOf('$lynq$'), sql.lastIndexOf('$lynq$;'));
    expect(body).not.toContain('app');
  });
});
