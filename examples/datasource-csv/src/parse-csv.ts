/** Where a CSV file is malformed. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    /** 1-based line of the file where the problem is. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses RFC 4180 CSV: fields separated by `delimiter`, optionally in double quotes (`""` is a
 * quote inside), records ending in LF or CRLF, the first record being the header. Returns one
 * object per record keyed by header name. Every record must have as many fields as the header.
 */
export function parseCsv(text: string, delimiter = ','): Record<string, string>[] {
  const records = splitRecords(text.startsWith('\uFEFF') ? text.slice(1) : text, delimiter);
  if (records.length === 0)
    throw new CsvSyntaxError('the file is empty; a header line is required', 1);
  const [header, ...rows] = records;
  const names = header!.fields;
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new CsvSyntaxError(`column ${JSON.stringify(name)} appears twice in the header`, 1);
    seen.add(name);
  }
  return rows.map(({ fields, line }) => {
    if (fields.length !== names.length) {
      throw new CsvSyntaxError(`has ${fields.length} fields, the header has ${names.length}`, line);
    }
    // No prototype: a column named `__proto__` is an ordinary key, not the record's prototype.
    const record = Object.create(null) as Record<string, string>;
    for (let i = 0; i < names.length; i++) record[names[i]!] = fields[i]!;
    return record;
  });
}

function splitRecords(text: string, delimiter: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line (one empty unquoted field) is not a record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError('text after a closing quote', line);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new CsvSyntaxError('a quoted field is not closed', recordLine);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
