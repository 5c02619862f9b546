import { describe, expect, it } from 'vitest';
import { InvalidUtf8 } from '@lynq/datasource';
import { columnConverters, readsServerText } from './column-converters.js';

describe('columnConverters', () => {
  const [date, datetime, timestamp, bit, other] = columnConverters([
    { columnType: 10 },
    { columnType: 12 },
    { columnType: 7 },
    { columnType: 16 },
    { columnType: 253 },
  ]);

  it('formats dates as Go does', () => {
    expect(date!('2024-05-01')).toBe('2024-05-01T00:00:00Z');
    expect(datetime!('2024-05-01 13:45:00.250000')).toBe('2024-05-01T13:45:00.25Z');
    expect(timestamp!('0000-00-00 00:00:00')).toBe('0001-01-01T00:00:00Z');
    expect(datetime!(null)).toBeNull();
  });

  it('turns BIT bytes into a decimal number', () => {
    expect(bit!(Buffer.from([1]))).toBe('1');
    expect(bit!(Buffer.from([0]))).toBe('0');
    expect(bit!(Buffer.from([0x01, 0x00]))).toBe('256');
    expect(bit!(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(
      '18446744073709551615',
    );
  });

  it('stringifies everything else', () => {
    expect(other!('text')).toBe('text');
    expect(other!(42)).toBe('42');
    expect(other!(0.1)).toBe('0.1');
    expect(other!(Buffer.from('hé'))).toBe('hé');
    expect(other!(null)).toBeNull();
    expect(other!({ x: 1, y: 2 })).toBe('{"x":1,"y":2}');
  });

  it('strips the padding of CHAR, and only of CHAR', () => {
    const [char, enumCol, varchar, binary] = columnConverters([
      { columnType: 254, characterSet: 45 },
      { columnType: 254, characterSet: 45, flags: 256 },
      { columnType: 253, characterSet: 45 },
      { columnType: 254, characterSet: 63 },
    ]);
    // What the server sends when its sql_mode has PAD_CHAR_TO_FULL_LENGTH.
    expect(char!('acme    ')).toBe('acme');
    expect(char!('1  ')).toBe('1');
    expect(char!(' x\t ')).toBe(' x\t');
    expect(char!('        ')).toBe('');
    expect(char!(null)).toBeNull();
    expect(enumCol!('a ')).toBe('a ');
    expect(varchar!('acme  ')).toBe('acme  ');
    expect(binary!(Buffer.from('ab\0\0'))).toBe('ab\0\0');
  });

  it('keeps bytes that are not UTF-8 recognisable in binary columns', () => {
    const [binary, text] = columnConverters([
      { columnType: 253, characterSet: 63 },
      { columnType: 253, characterSet: 45 },
    ]);
    expect(binary!(Buffer.from('acme'))).toBe('acme');
    const invalid = binary!(Buffer.from([0x61, 0x63, 0x6d, 0x65, 0xff]));
    expect(invalid).toBeInstanceOf(InvalidUtf8);
    expect((invalid as InvalidUtf8).hex()).toBe('61636d65ff');
    expect(text!('acme\uFFFD')).toBe('acme\uFFFD');
  });

  it('reads ZEROFILL numbers and YEAR as the server text', () => {
    const zerofill = 64 | 32;
    expect(readsServerText({ columnType: 1, flags: zerofill })).toBe(true);
    expect(readsServerText({ columnType: 3, flags: zerofill })).toBe(true);
    expect(readsServerText({ columnType: 4, flags: zerofill })).toBe(true);
    expect(readsServerText({ columnType: 13, flags: zerofill })).toBe(true);
    expect(readsServerText({ columnType: 3, flags: 32 })).toBe(false);
    expect(readsServerText({ columnType: 246, flags: zerofill })).toBe(false); // DECIMAL is text already
  });
});
