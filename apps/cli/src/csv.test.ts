import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields, "" escapes, CRLF and a BOM, with the line each row starts on', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x,1","say ""hi"""\r\n,\r\n')).toEqual({
      rows: [
        { a: 'x,1', b: 'say "hi"' },
        { a: '', b: '' },
      ],
      lines: [2, 3],
    });
  });

  it('counts lines of quoted fields that span lines, and skips empty lines', () => {
    const { rows, lines } = parseCsv('id,note\n\na,"two\nlines"\nb,x\n');
    expect(rows).toEqual([
      { id: 'a', note: 'two\nlines' },
      { id: 'b', note: 'x' },
    ]);
    expect(lines).toEqual([3, 5]);
  });

  it('refuses duplicate column names, naming them and their columns', () => {
    expect(() => parseCsv('id,plan,plan\n1,a,b\n')).toThrow(
      new CsvError(1, 'duplicate column "plan" in the header row (columns 2 and 3)'),
    );
  });

  it('refuses a header column without a name', () => {
    expect(() => parseCsv('id,,plan\n1,a,b\n')).toThrow(
      'line 1: column 2 of the header row has no name',
    );
  });

  it('reports a row with too many fields on its own line', () => {
    let err: unknown;
    try {
      parseCsv('id,plan\n1,a\n\n2,b,c\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).line).toBe(4);
    expect((err as CsvError).message).toMatch(
      /^line 4: Invalid Record Length: columns length is 2, got 3$/,
    );
  });

  it('reports an unclosed quote', () => {
    expect(() => parseCsv('id,plan\n1,"a\n')).toThrow(/^line 2: Quote Not Closed/);
  });

  it('reads a header alone as no rows', () => {
    expect(parseCsv('id,plan\n')).toEqual({ rows: [], lines: [] });
  });
});
