import { describe, expect, it } from 'vitest';
import { columnConverters } from './column-converters.js';

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
});
