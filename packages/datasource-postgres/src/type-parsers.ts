import { decodeUtf8, sqlDateTimeToGo, stripCharPadding, type RowValue } from '@lynq/datasource';

/** OIDs of the built-in types whose text form differs from what Lynq puts in variables. */
const OID = {
  bool: 16,
  bytea: 17,
  bpchar: 1042,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const identity = (text: string) => text;

/**
 * Every column as a string, in the same convention as the MySQL datasource (what Go's
 * database/sql would produce when scanning into a string):
 * - boolean: `true` / `false` (PostgreSQL's own text is `t` / `f`, which is never truthy);
 * - char(n) (bpchar): without the trailing spaces that pad it, as MySQL returns CHAR columns
 *   (`char(3)` '1' is `1`, active); varchar and text keep theirs;
 * - date, timestamp, timestamptz: RFC 3339 in UTC, trailing zeros trimmed
 *   (`2024-05-01T13:45:00.25Z`; the session runs with TimeZone=UTC);
 * - bytea: its bytes decoded as UTF-8 (not the `\x…` hex text); bytes that are not UTF-8 come
 *   back as InvalidUtf8, which the datasource reports for a uid instead of guessing;
 * - everything else (numbers, numeric, json/jsonb, uuid, arrays, enums, text): PostgreSQL's own
 *   text form unchanged, e.g. `12.50`, `1e+20`, `{"a": 1}`, `{a,b}`.
 */
export const lynqPgTypes = {
  getTypeParser(oid: number): (text: string) => RowValue {
    switch (oid) {
      case OID.bool:
        return (text) => (text === 't' ? 'true' : text === 'f' ? 'false' : text);
      case OID.bytea:
        return (text) =>
          text.startsWith('\\x') ? decodeUtf8(Buffer.from(text.slice(2), 'hex')) : text;
      case OID.bpchar:
        return stripCharPadding;
      case OID.date:
      case OID.timestamp:
      case OID.timestamptz:
        return sqlDateTimeToGo;
      default:
        return identity;
    }
  },
};
