/**
 * Values exactly as Lynq (Go) treats them: it scans every column into a nullable string through
 * database/sql, so NULL becomes "" and a row is active only for these activate values.
 */
export const ACTIVATE_TRUTHY: readonly string[] = [
  '1',
  'true',
  'TRUE',
  'True',
  'yes',
  'YES',
  'Yes',
];

const truthy: ReadonlySet<string> = new Set(ACTIVATE_TRUTHY);

/** Whether an activate value makes the row active. Exact match: no trimming, no case folding. */
export function isActive(activate: string): boolean {
  return truthy.has(activate);
}

const SQL_DATETIME =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/**
 * Formats a date/time the way Go's database/sql turns a time.Time into a string (RFC 3339 with
 * nanoseconds, trailing zeros trimmed, `Z` for UTC), which is what Lynq puts in template
 * variables for DATE, DATETIME and TIMESTAMP columns (its MySQL DSN sets parseTime=true).
 *
 * Accepts SQL text: `2024-05-01`, `2024-05-01 13:45:00.250000`, and PostgreSQL's offsets
 * (`+00`, `-05:30`). A value with an offset is converted to UTC; one without is taken as UTC,
 * as Lynq does. MySQL's zero date becomes Go's zero time. Anything else (`infinity`, BC dates)
 * is returned unchanged.
 */
export function sqlDateTimeToGo(text: string): string {
  const m = SQL_DATETIME.exec(text);
  if (m === null) return text;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', sign, oh, om, os] = m;
  if (/^0+$/.test(y!) && mo === '00' && d === '00') return '0001-01-01T00:00:00Z';
  if (sign === undefined || (Number(oh) === 0 && Number(om ?? 0) === 0 && Number(os ?? 0) === 0)) {
    return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction(frac)}Z`;
  }
  const offset =
    (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * (sign === '-' ? -1 : 1);
  const utcMs =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) -
    offset * 1000;
  const iso = new Date(utcMs).toISOString(); // 2024-05-01T13:45:00.000Z
  return `${iso.slice(0, 19)}${fraction(frac)}Z`;
}

/** Go's RFC3339Nano fraction: `.` + digits without trailing zeros, or nothing. */
function fraction(digits: string): string {
  const trimmed = digits.replace(/0+$/, '');
  return trimmed === '' ? '' : `.${trimmed}`;
}

/**
 * A CHAR(n) value without the spaces that pad it to n characters. Lynq reads MySQL, which strips
 * them when it returns CHAR columns, so `char(8)` 'acme' is `acme` and `char(3)` '1' is `1`
 * (active). Drivers apply it to fixed-length character columns only: VARCHAR and TEXT keep
 * their trailing spaces. Only spaces are padding; tabs and other white space stay.
 */
export function stripCharPadding(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x20) end--;
  return end === value.length ? value : value.slice(0, end);
}

/**
 * Text whose bytes are not valid UTF-8, as a driver hands it to RowCollector: a uid like this is
 * reported as an INVALID_UID_ENCODING problem instead of becoming a different string. In any
 * other column `text` (bad bytes as U+FFFD) is used.
 */
export class InvalidUtf8 {
  /** `bytes` decoded with U+FFFD for each invalid sequence. */
  readonly text: string;

  constructor(readonly bytes: Uint8Array) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  /** The bytes as hex (`61636d65ff`), for problem reports. */
  hex(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
      'hex',
    );
  }
}

/** A value a driver passes to RowCollector: text, SQL NULL, or bytes that are not UTF-8. */
export type RowValue = string | null | InvalidUtf8;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as UTF-8, or returns InvalidUtf8 when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | InvalidUtf8 {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return new InvalidUtf8(bytes); // fatal decoding throws only for invalid input
  }
}

/**
 * Like `toLynqString`, but bytes that are not valid UTF-8 stay recognisable as InvalidUtf8, so
 * RowCollector can report such a uid instead of reading a different one.
 */
export function toLynqValue(value: unknown): RowValue {
  if (value instanceof Uint8Array) return decodeUtf8(value);
  return toLynqString(value);
}

/**
 * Turns a value a plugin read into the string Lynq would see, or null for SQL NULL/absent:
 * strings as they are; numbers and bigints in decimal; booleans `true`/`false` (Go's
 * strconv.FormatBool); Dates as Go's RFC 3339 text in UTC; bytes decoded as UTF-8 (invalid
 * sequences as U+FFFD; `toLynqValue` keeps them recognisable); anything else as JSON.
 */
export function toLynqString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    return `${iso.slice(0, 19)}${fraction(iso.slice(20, 23))}Z`;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return JSON.stringify(value);
}
