import { describe, expect, it } from 'vitest';
import {
  ACTIVATE_TRUTHY,
  isActive,
  sqlDateTimeToGo,
  toLynqString,
  decodeUtf8,
  InvalidUtf8,
  toLynqValue,
  stripCharPadding,
} from './values.js';

describe('isActive', () => {
  it('accepts exactly the truthy set of Lynq', () => {
    expect(ACTIVATE_TRUTHY).toEqual(['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'Yes']);
    for (const v of ACTIVATE_TRUTHY) expect(isActive(v)).toBe(true);
  });
  it.each([
    '',
    '0',
    'false',
    'tRue',
    'yEs',
    'y',
    't',
    'on',
    ' 1',
    '1 ',
    '01',
    '1.0',
    'true\n',
    'NULL',
  ])('rejects %j', (v) => expect(isActive(v)).toBe(false));
});

describe('sqlDateTimeToGo', () => {
  it.each([
    ['2024-05-01 13:45:00', '2024-05-01T13:45:00Z'],
    ['2024-05-01 13:45:00.250000', '2024-05-01T13:45:00.25Z'],
    ['2024-05-01 13:45:00.000000', '2024-05-01T13:45:00Z'],
    ['2024-05-01', '2024-05-01T00:00:00Z'],
    ['0000-00-00 00:00:00', '0001-01-01T00:00:00Z'],
    ['0000-00-00', '0001-01-01T00:00:00Z'],
    ['2024-05-01 13:45:00+00', '2024-05-01T13:45:00Z'],
    ['2024-05-01 13:45:00.5+02', '2024-05-01T11:45:00.5Z'],
    ['2024-01-01 00:30:00-05:30', '2024-01-01T06:00:00Z'],
    ['infinity', 'infinity'],
    ['2024-05-01 13:45:00 BC', '2024-05-01 13:45:00 BC'],
  ])('%j → %j', (input, want) => expect(sqlDateTimeToGo(input)).toBe(want));
});

describe('toLynqString', () => {
  it('maps JavaScript values to the strings Lynq would see', () => {
    expect(toLynqString(null)).toBeNull();
    expect(toLynqString(undefined)).toBeNull();
    expect(toLynqString('')).toBe('');
    expect(toLynqString('ünï')).toBe('ünï');
    expect(toLynqString(42)).toBe('42');
    expect(toLynqString(1.5)).toBe('1.5');
    expect(toLynqString(12345678901234567890n)).toBe('12345678901234567890');
    expect(toLynqString(true)).toBe('true');
    expect(toLynqString(false)).toBe('false');
    expect(toLynqString(new Date(Date.UTC(2024, 4, 1, 13, 45, 0, 120)))).toBe(
      '2024-05-01T13:45:00.12Z',
    );
    expect(toLynqString(new Date(Date.UTC(2024, 4, 1)))).toBe('2024-05-01T00:00:00Z');
    expect(toLynqString(Buffer.from('héllo'))).toBe('héllo');
    expect(toLynqString({ a: 1, b: [true] })).toBe('{"a":1,"b":[true]}');
  });
});

describe('decodeUtf8 and toLynqValue', () => {
  it('decodes valid UTF-8 and keeps invalid bytes recognisable', () => {
    expect(decodeUtf8(Buffer.from('héllo'))).toBe('héllo');
    expect(decodeUtf8(Buffer.from('acme\uFFFD'))).toBe('acme\uFFFD'); // a genuine U+FFFD is valid
    const bad = decodeUtf8(Buffer.from('61636d65ff', 'hex'));
    expect(bad).toBeInstanceOf(InvalidUtf8);
    expect((bad as InvalidUtf8).text).toBe('acme\uFFFD');
    expect((bad as InvalidUtf8).hex()).toBe('61636d65ff');
    expect(decodeUtf8(Buffer.from('efbbbf61', 'hex'))).toBe('\uFEFFa'); // a BOM is data
    expect(toLynqValue(Buffer.from('c3', 'hex'))).toBeInstanceOf(InvalidUtf8);
    expect(toLynqValue(7)).toBe('7');
    expect(toLynqValue(null)).toBeNull();
  });
});

describe('stripCharPadding', () => {
  it.each([
    ['acme    ', 'acme'],
    ['1  ', '1'],
    ['   ', ''],
    ['a b ', 'a b'],
    ['tab\t', 'tab\t'],
    ['', ''],
  ])('%j → %j', (input, want) => expect(stripCharPadding(input)).toBe(want));
});
