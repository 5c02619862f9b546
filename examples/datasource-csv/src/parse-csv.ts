// CSV files through csv-parse (RFC 4180: quoted fields, doubled quotes, delimiters and line breaks
// inside quotes, LF or CRLF, a BOM), plus what a datasource needs on top: a header whose names are
// unique, the same number of fields in every record, and errors that name the line a record
// starts on. Line numbers are counted here from the byte offsets csv-parse reports, because its
// own line counter counts a CRLF inside a quoted field twice.
import { CsvError, parse } from 'csv-parse/sync';

/** Where a CSV file is malformed. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    /** 1-based line of the file the offending record (or the header) starts on. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface ParsedRecord {
  record: string[];
  /** `info.bytes`: the offset just past this record (and its line break). */
  info: { bytes: number };
}

/**
 * Parses CSV whose first record is the header. Returns one object per record keyed by header
 * name (objects without a prototype, so a column named `__proto__` is an ordinary key). Blank
 * lines are skipped. Throws CsvSyntaxError for an empty file, a header naming a column twice, a
 * record with more or fewer fields than the header, and malformed quoting.
 */
export function parseCsv(text: string, delimiter = ','): Record<string, string>[] {
  const bytes = Buffer.from(text, 'utf8');
  const lines = new LineIndex(bytes);
  let parsed: ParsedRecord[];
  try {
    parsed = parse(bytes, {
      bom: true,
      delimiter,
      // Any mix of CRLF, LF and CR (csv-parse would otherwise keep to the first one it sees).
      record_delimiter: ['\r\n', '\n', '\r'],
      info: true,
      // Field counts are checked below, where the record's first line is known.
      relax_column_count: true,
      skip_empty_lines: true,
      // csv-parse's types do not model `info: true`, which wraps each record with its info.
    }) as unknown as ParsedRecord[];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // csv-parse's `bytes` on an error is where the record it was reading starts.
    const offset = typeof err['bytes'] === 'number' ? err['bytes'] : 0;
    throw new CsvSyntaxError(describe(err), lines.recordLineAt(offset));
  }
  const [header, ...records] = parsed;
  if (header === undefined)
    throw new CsvSyntaxError('the file is empty; a header line is required', 1);
  const names = header.record;
  const headerLine = lines.recordLineAt(0);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new CsvSyntaxError(
        `column ${JSON.stringify(name)} appears twice in the header; each column needs its own name`,
        headerLine,
      );
    seen.add(name);
  }
  let start = header.info.bytes;
  return records.map(({ record, info }) => {
    if (record.length !== names.length) {
      throw new CsvSyntaxError(
        `has ${record.length} fields, the header has ${names.length}`,
        lines.recordLineAt(start),
      );
    }
    start = info.bytes;
    const row = Object.create(null) as Record<string, string>;
    for (let i = 0; i < names.length; i++) row[names[i]!] = record[i]!;
    return row;
  });
}

/** csv-parse's message without its own (possibly wrong) line number. */
function describe(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote (a quote inside a quoted field is written "")';
    default:
      return err.message.replace(/ at line \d+/, '');
  }
}

/** Line numbers of byte offsets of one file. */
class LineIndex {
  /** Offsets of every line break: LF, and CR not followed by LF. */
  private readonly breaks: number[] = [];

  constructor(private readonly bytes: Buffer) {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 10 || (b === 13 && bytes[i + 1] !== 10)) this.breaks.push(i);
    }
  }

  /**
   * The line of the record that begins at `offset` (the end of the previous record): blank lines
   * in between are skipped, as the parser skips them.
   */
  recordLineAt(offset: number): number {
    let at = offset;
    while (at < this.bytes.length && (this.bytes[at] === 10 || this.bytes[at] === 13)) at++;
    let lo = 0;
    let hi = this.breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.breaks[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}
