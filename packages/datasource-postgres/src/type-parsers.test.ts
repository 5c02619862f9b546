import { InvalidUtf8 } from '@lynq/datasource';
import { describe, expect, it } from 'vitest';
import { lynqPgTypes } from './type-parsers.js';

const parse = (oid: number, text: string) => lynqPgTypes.getTypeParser(oid)(text);

describe('lynqPgTypes', () => {
  it('gives booleans as true/false', () => {
    expect(parse(16, 't')).toBe('true');
    expect(parse(16, 'f')).toBe('false');
  });
  it('gives dates and timestamps as RFC 3339 UTC', () => {
    expect(parse(1082, '2024-05-01')).toBe('2024-05-01T00:00:00Z');
    expect(parse(1114, '2024-05-01 13:45:00.25')).toBe('2024-05-01T13:45:00.25Z');
    expect(parse(1184, '2024-05-01 13:45:00+00')).toBe('2024-05-01T13:45:00Z');
    expect(parse(1184, 'infinity')).toBe('infinity');
  });
  it('decodes bytea hex as UTF-8, and keeps bytes that are not UTF-8 recognisable', () => {
    expect(parse(17, '\\x68c3a9')).toBe('hé');
    const bad = parse(17, '\\x61636d65ff');
    expect(bad).toBeInstanceOf(InvalidUtf8);
    expect((bad as InvalidUtf8).hex()).toBe('61636d65ff');
  });
  it('strips the padding of char(n) only', () => {
    expect(parse(1042, 'acme    ')).toBe('acme');
    expect(parse(1043, 'acme    ')).toBe('acme    '); // varchar
    expect(parse(25, 'acme  ')).toBe('acme  '); // text
  });
  it('keeps every other type as PostgreSQL prints it', () => {
    expect(parse(1700, '12.50')).toBe('12.50');
    expect(parse(701, '1e+20')).toBe('1e+20');
    expect(parse(3802, '{"a": 1}')).toBe('{"a": 1}');
    expect(parse(1009, '{a,"b c"}')).toBe('{a,"b c"}');
  });
});
