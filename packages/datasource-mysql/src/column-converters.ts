import { decodeUtf8, sqlDateTimeToGo, toLynqString, type RowValue } from '@lynq/datasource';

/** mysql2 column type codes (protocol constants) this module treats specially. */
const TYPE = {
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
} as const;

/** Column definition flags (protocol constants). */
const FLAG = { ZEROFILL: 64, ENUM: 256, SET: 2048 } as const;

/** The character set number of binary strings (VARBINARY, BLOB, BINARY, binary expressions). */
const BINARY_CHARSET = 63;

const DATE_TYPES: ReadonlySet<number> = new Set([
  TYPE.TIMESTAMP,
  TYPE.DATE,
  TYPE.DATETIME,
  TYPE.NEWDATE,
]);

/** Numbers mysql2 would parse into a JavaScript number, losing ZEROFILL's leading zeros. */
const PARSED_NUMBER_TYPES: ReadonlySet<number> = new Set([
  TYPE.TINY,
  TYPE.SHORT,
  TYPE.LONG,
  TYPE.FLOAT,
  TYPE.DOUBLE,
  TYPE.LONGLONG,
  TYPE.INT24,
  TYPE.YEAR,
]);

const STRING_TYPES: ReadonlySet<number> = new Set([
  TYPE.VARCHAR,
  TYPE.ENUM,
  TYPE.SET,
  TYPE.TINY_BLOB,
  TYPE.MEDIUM_BLOB,
  TYPE.LONG_BLOB,
  TYPE.BLOB,
  TYPE.VAR_STRING,
  TYPE.STRING,
]);

export type Converter = (value: unknown) => RowValue;

/** The column metadata mysql2 returns beside the rows. */
export interface ColumnMeta {
  name?: string;
  columnType?: number;
  characterSet?: number;
  flags?: number;
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
 * Whether a column's values must be read as the server's text instead of being parsed by
 * mysql2: ZEROFILL numbers, where the text (`001`, `000042`, `0003.50`) is the value Lynq sees
 * and a parsed number would drop the zeros. YEAR carries the ZEROFILL flag too (`0000`).
 */
export function readsServerText(field: ColumnMeta): boolean {
  return (
    field.columnType !== undefined &&
    PARSED_NUMBER_TYPES.has(field.columnType) &&
    ((field.flags ?? 0) & FLAG.ZEROFILL) !== 0
  );
}

/**
 * One converter per result column, giving every value as the string Lynq (Go, database/sql,
 * parseTime=true) would see:
 * - text, ENUM, SET, JSON, TIME, DECIMAL, BIGINT: MySQL's text, unchanged (`12.50`, `{"a": 1}`);
 * - CHAR: without trailing spaces, as MySQL returns it unless PAD_CHAR_TO_FULL_LENGTH is set,
 *   so the value does not depend on the server's sql_mode;
 * - ZEROFILL numbers (and YEAR): the server's text with its zeros (`001`, `000042`), when read
 *   as `readsServerText` says;
 * - other integers: decimal (`42`);
 * - FLOAT/DOUBLE: the shortest decimal that reads back as the same number (`0.1`, `1.5e-7`);
 *   MySQL's own text can use an exponent where this does not (1e20 is `1e20` there,
 *   `100000000000000000000` here);
 * - DATE, DATETIME, TIMESTAMP: Go's RFC 3339 text in UTC (`2024-05-01T13:45:00.25Z`), the zero
 *   date as Go's zero time (`0001-01-01T00:00:00Z`);
 * - binary strings (VARBINARY, BLOB, BINARY, binary expressions): their bytes as UTF-8, or
 *   InvalidUtf8 when they are not valid UTF-8 (a uid like that is a row problem; in other
 *   columns invalid sequences become U+FFFD);
 * - BIT: its value in decimal (`1`), so a BIT(1) activate column works (Lynq would see the raw
 *   byte `\x01`, which is never truthy).
 * NULL stays null (the row collector turns it into "").
 */
export function columnConverters(fields: readonly ColumnMeta[]): Converter[] {
  return fields.map((field) => {
    const type = field.columnType;
    if (type === undefined) return genericConverter;
    if (DATE_TYPES.has(type)) return dateConverter;
    if (type === TYPE.BIT) return bitConverter;
    if (STRING_TYPES.has(type)) {
      if (field.characterSet === BINARY_CHARSET) return bytesConverter;
      const flags = field.flags ?? 0;
      if (type === TYPE.STRING && (flags & (FLAG.ENUM | FLAG.SET)) === 0) return charConverter;
    }
    return genericConverter;
  });
}

const dateConverter: Converter = (value) =>
  value === null || value === undefined ? null : sqlDateTimeToGo(toLynqString(value) ?? '');

const bitConverter: Converter = (value) => {
  if (!Buffer.isBuffer(value)) return genericConverter(value);
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  return n.toString();
};

const bytesConverter: Converter = (value) =>
  value instanceof Uint8Array ? decodeUtf8(value) : genericConverter(value);

const charConverter: Converter = (value) => {
  if (typeof value !== 'string') return toLynqString(value);
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x20) end--; // spaces only, as MySQL pads
  return end === value.length ? value : value.slice(0, end);
};

// With MYSQL_RESULT_OPTIONS mysql2 hands over strings, numbers, Buffers, null and parsed
// GEOMETRY/VECTOR values (kept readable as JSON): exactly what toLynqString covers.
const genericConverter: Converter = toLynqString;
