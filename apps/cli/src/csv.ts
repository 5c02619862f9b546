// CSV rows for `--rows`: csv-parse (RFC 4180: quoted fields, "" escapes, CRLF, a BOM), with
// the header row as the column names. Duplicate column names are refused: the same name twice
// would silently keep one of the two values.
import { CsvError as ParserError, parse } from 'csv-parse/sync';

/** A CSV file that cannot be read as rows; `line` is 1-based in the file. */
export class CsvError extends Error {
  readonly code = 'CSV_INVALID';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export interface CsvRows {
  rows: Record<string, string>[];
  /** The line each row starts on (1-based), for messages about a row. */
  lines: number[];
}

interface Parsed {
  record: Record<string, string>;
  info: { lines: number };
  raw: string;
}

function checkHeader(header: string[]): string[] {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new CsvError(1, `column ${i + 1} of the header row has no name`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new CsvError(
        1,
        `duplicate column ${JSON.stringify(name)} in the header row (columns ${first + 1} and ${i + 1})`,
      );
    seen.set(name, i);
  });
  return header;
}

/** Parses CSV text with a header row; throws CsvError with the line of the problem. */
export function parseCsv(text: string): CsvRows {
  let parsed: Parsed[];
  try {
    parsed = parse(text, {
      bom: true,
      columns: checkHeader,
      skip_empty_lines: true,
      info: true,
      raw: true,
    }) as unknown as Parsed[];
  } catch (err) {
    if (err instanceof CsvError) throw err;
    if (err instanceof ParserError) {
      const line = (err as ParserError & { lines?: number }).lines ?? 0;
      // The parser's message ends with "on line N" / "at line N": said once, in front.
      const message = err.message.replace(/:?\s*(on|at) line \d+\.?$/, '');
      throw new CsvError(line, message);
    }
    throw err;
  }
  return {
    rows: parsed.map((p) => p.record),
    // info.lines is the line the record ends on; a quoted field may span lines. `raw` holds the
    // empty lines skipped before the record and its line break: neither is part of it.
    lines: parsed.map((p) => {
      const record = p.raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
      return p.info.lines - (record.match(/\r\n|\r|\n/g)?.length ?? 0);
    }),
  };
}
