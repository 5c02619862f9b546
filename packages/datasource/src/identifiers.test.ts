import { describe, expect, it } from 'vitest';
import { DatasourceError } from './errors.js';
import { identifierProblem, quoteIdentifier } from './identifiers.js';

describe('quoteIdentifier', () => {
  it('quotes MySQL names with backticks, doubling backticks inside', () => {
    expect(quoteIdentifier('mysql', 'tenants', 'f')).toBe('`tenants`');
    expect(quoteIdentifier('mysql', 'x`; DROP TABLE y; --', 'f')).toBe('`x``; DROP TABLE y; --`');
    expect(quoteIdentifier('mysql', 'a"b', 'f')).toBe('`a"b`');
  });
  it('quotes PostgreSQL names with double quotes, doubling quotes inside', () => {
    expect(quoteIdentifier('postgresql', 'Tenants', 'f')).toBe('"Tenants"');
    expect(quoteIdentifier('postgresql', 'x"; DROP TABLE y; --', 'f')).toBe(
      '"x""; DROP TABLE y; --"',
    );
    expect(quoteIdentifier('postgresql', 'a`b', 'f')).toBe('"a`b"');
  });
  it('rejects names that cannot be identifiers, naming the field', () => {
    const bad: [Parameters<typeof quoteIdentifier>[0], string, RegExp][] = [
      ['mysql', '', /is empty/],
      ['mysql', 'a\0b', /NUL/],
      ['postgresql', 'a\0b', /NUL/],
      ['mysql', 'x'.repeat(65), /65 characters long; MySQL allows at most 64/],
      ['mysql', 'tab ', /ends with a space/],
      ['mysql', 'emoji😀', /Basic Multilingual Plane/],
      ['postgresql', 'x'.repeat(64), /64 bytes long; PostgreSQL allows at most 63/],
      ['postgresql', 'é'.repeat(32), /64 bytes long/],
    ];
    for (const [dialect, name, message] of bad) {
      let error: unknown;
      try {
        quoteIdentifier(dialect, name, 'spec.source.mysql.table');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DatasourceError);
      expect((error as DatasourceError).code).toBe('INVALID_CONFIG');
      expect((error as DatasourceError).fields).toEqual(['spec.source.mysql.table']);
      expect((error as DatasourceError).message).toMatch(/^spec\.source\.mysql\.table: /);
      expect((error as DatasourceError).message).toMatch(message);
    }
  });
  it('accepts the longest allowed names', () => {
    expect(identifierProblem('mysql', 'é'.repeat(64))).toBeUndefined();
    expect(identifierProblem('postgresql', 'x'.repeat(63))).toBeUndefined();
  });
});
