import { describe, expect, it } from 'vitest';
import { checkSourceSection, describeConfigValue } from './config-values.js';
import { DatasourceError } from './errors.js';

const rules = {
  host: 'name',
  port: 'port',
  database: 'name',
  schema: 'name',
  table: 'name',
} as const;
const init = { hub: 'ns/h', type: 'postgresql' };

function problem(section: unknown): DatasourceError {
  try {
    checkSourceSection(section, 'spec.source.postgresql', rules, { port: 5432 }, init);
  } catch (err) {
    if (err instanceof DatasourceError) return err;
    throw err;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('describeConfigValue', () => {
  it.each([
    ['5', '"5" (a string)'],
    [5, '5'],
    [0.5, '0.5'],
    [true, 'true (a boolean)'],
    [undefined, 'nothing'],
    [null, 'null'],
    [[1], 'a list'],
    [{ a: 1 }, 'an object'],
    ['x'.repeat(100), `"${'x'.repeat(57)}…" (a string)`],
  ])('%j → %s', (value, text) => expect(describeConfigValue(value)).toBe(text));
});

describe('checkSourceSection', () => {
  it('applies defaults and returns the section', () => {
    const section = checkSourceSection(
      { host: 'db', database: 'app', schema: 'public', table: 't' },
      'spec.source.postgresql',
      rules,
      { port: 5432 },
      init,
    );
    expect(section).toEqual({
      host: 'db',
      port: 5432,
      database: 'app',
      schema: 'public',
      table: 't',
    });
  });

  it('names every bad field and what it got', () => {
    const err = problem({ host: 'db', port: '5432', database: '', table: 7 });
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.hub).toBe('ns/h');
    expect(err.fields).toEqual([
      'spec.source.postgresql.port',
      'spec.source.postgresql.database',
      'spec.source.postgresql.schema',
      'spec.source.postgresql.table',
    ]);
    expect(err.message).toBe(
      [
        'spec.source.postgresql.port must be an integer from 1 to 65535, got "5432" (a string)',
        'spec.source.postgresql.database must be a non-empty string, got "" (a string)',
        'spec.source.postgresql.schema is required',
        'spec.source.postgresql.table must be a non-empty string, got 7',
      ].join('; '),
    );
  });

  it('refuses a section that is not an object', () => {
    expect(problem(undefined).message).toBe(
      'spec.source.postgresql must be an object, got nothing',
    );
    expect(problem('db').fields).toEqual(['spec.source.postgresql']);
  });
});

describe('checkSourceSection: Secret references and TLS', () => {
  const refRules = { passwordRef: 'optional-secret-ref', tls: 'optional-tls' } as const;
  const check = (section: unknown) =>
    checkSourceSection(section, 'spec.source.mysql', refRules, {}, init);

  it('accepts them absent or well formed', () => {
    expect(check({})).toEqual({});
    const ok = {
      passwordRef: { name: 'db', key: 'password' },
      tls: { mode: 'verify-full', caSecretRef: { name: 'ca', key: 'ca.crt' } },
    };
    expect(check(ok)).toEqual(ok);
  });

  it('names the bad part', () => {
    expect(() =>
      check({ passwordRef: { name: '' }, tls: { mode: 'verify', caSecretRef: 'ca' } }),
    ).toThrow(
      [
        'spec.source.mysql.passwordRef.name must be a non-empty string, got "" (a string)',
        'spec.source.mysql.passwordRef.key is required',
        'spec.source.mysql.tls.mode must be one of disable, require, verify-ca, verify-full, got "verify" (a string)',
        'spec.source.mysql.tls.caSecretRef must be an object, got "ca" (a string)',
      ].join('; '),
    );
  });
});
