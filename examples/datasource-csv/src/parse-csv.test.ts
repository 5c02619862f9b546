import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

describe('parseCsv', () => {
  it('reads a header and records, LF or CRLF, with a BOM', () => {
    expect(parseCsv('\uFEFFid,active\r\na,1\nb,0\n')).toEqual([
      { id: 'a', active: '1' },
      { id: 'b', active: '0' },
    ]);
  });

  it('handles quotes, doubled quotes, delimiters and newlines inside quotes', () => {
    expect(parseCsv('id,note\n"a,1","say ""hi""\nthere"\n"",x\n')).toEqual([
      { id: 'a,1', note: 'say "hi"\nthere' },
      { id: '', note: 'x' },
    ]);
  });

  it('skips blank lines and takes other delimiters', () => {
    expect(parseCsv('id;plan\n\na;gold\n\n', ';')).toEqual([{ id: 'a', plan: 'gold' }]);
  });

  it('keeps unicode and a missing final newline', () => {
    expect(parseCsv('id,name\nü😀,金')).toEqual([{ id: 'ü😀', name: '金' }]);
  });

  it('refuses a header that names a column twice, saying which and where', () => {
    expect(() => parseCsv('\n\nid,plan,id\na,b,c\n')).toThrow(
      new CsvSyntaxError(
        'column "id" appears twice in the header; each column needs its own name',
        3,
      ),
    );
  });

  it.each([
    // a record spanning lines 2–3 (LF), the short one on line 4
    ['id,note\n"a\nb",x\nc\n', 4],
    // the same with CRLF, where csv-parse itself would count line 5
    ['id,note\r\n"a\r\nb",x\r\nc\r\n', 4],
    // blank lines and a BOM before it
    ['\uFEFFid,note\n\na,x\n\n\nc\n', 6],
    // a quoted field of two empty lines
    ['id,note\n"\n\n",x\nc,y,z\n', 5],
    // old Mac line breaks (CR alone), mixed with CRLF
    ['id,note\ra,x\r\n"b\rc",y\rd\r', 5],
  ])('names the line a record with the wrong field count starts on (%j)', (text, line) => {
    let err: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).line).toBe(line);
  });

  it('names the line an unclosed quote starts on, with CRLF line breaks inside quotes', () => {
    expect(() => parseCsv('id,note\r\n"a\r\nb",x\r\n"c,1\r\n')).toThrow(
      /^line 4: a quoted field is not closed$/,
    );
  });

  it.each([
    ['', /line 1: the file is empty/],
    ['id,id\na,b\n', /line 1: column "id" appears twice/],
    ['id,active\na,1\nb\n', /line 3: has 1 fields, the header has 2/],
    ['id,active\n"a,1\n', /line 2: a quoted field is not closed/],
    ['id,active\n"a"x,1\n', /line 2: text after a closing quote/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});
