import { sqlDateTimeToGo, toLynqString } from '@lynq/datasource';

/** mysql2 column type codes (protocol constants) this module treats specially. */
const TYPE = { TIMESTAMP: 7, DATE: 10, DATETIME: 12, NEWDATE: 14, BIT: 16 } as const;
const DATE_TYPES: ReadonlySet<number> = new Set([
  TYPE.TIMESTAMP,
  TYPE.DATE,
  TYPE.DATETIME,
  TYPE.NEWDATE,
]);

export type Converter = (value: unknown) => string | null;

/** The column metadata mysql2 returns beside the rows. */
export interface ColumnMeta {
  columnType?: number;
}

/**
 * mysql2 options that make it return values close to MySQL's text protocol (strings for dates,
 * big integers, decimals and JSON) so converting them is cheap. Parsing every field through a
 * typeCast callback is about twice as slow on 100,000 rows.
 */
export const MYSQL_RESULT_OPTIONS = {
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  jsonStrings: true,
} as const;

/**
 * One converter per result column, giving every value as the string Lynq (Go, database/sql,
 * parseTime=true) would see:
 * - text, ENUM, SET, JSON, TIME, DECIMAL, BIGINT: MySQL's text, unchanged (`12.50`, `{"a": 1}`);
 * - other integers and YEAR: decimal (`42`);
 * - FLOAT/DOUBLE: the shortest decimal that reads back as the same number (`0.1`, `1.5e-7`);
 *   MySQL's own text can use an exponent where this does not (1e20 is `1e20` there,
 *   `100000000000000000000` here);
 * - DATE, DATETIME, TIMESTAMP: Go's RFC 3339 text in UTC (`2024-05-01T13:45:00.25Z`), the zero
 *   date as Go's zero time (`0001-01-01T00:00:00Z`);
 * - binary columns: their bytes as UTF-8 (invalid sequences become U+FFFD);
 * - BIT: its value in decimal (`1`), so a BIT(1) activate column works (Lynq would see the raw
 *   byte `\x01`, which is never truthy).
 * NULL stays null (the row collector turns it into "").
 */
export function columnConverters(fields: readonly ColumnMeta[]): Converter[] {
  return fields.map((field) => {
    if (field.columnType !== undefined && DATE_TYPES.has(field.columnType)) return dateConverter;
    if (field.columnType === TYPE.BIT) return bitConverter;
    return genericConverter;
  });
}

const dateConverter: Converter = (value) =>
  value === null || value === undefined ? null : sqlDateTimeToGo(genericConverter(value) ?? '');

const bitConverter: Converter = (value) => {
  if (!Buffer.isBuffer(value)) return genericConverter(value);
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  return n.toString();
};

// With MYSQL_RESULT_OPTIONS mysql2 hands over strings, numbers, Buffers, null and parsed
// GEOMETRY/VECTOR values (kept readable as JSON): exactly what toLynqString covers.
const genericConverter: Converter = toLynqString;
