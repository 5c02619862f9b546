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
