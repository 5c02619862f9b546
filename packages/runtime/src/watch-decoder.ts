import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a watch response (one JSON object per line) into lines. Chunks may end anywhere, also
 * inside a multi-byte character; a line longer than `maxLineBytes` is an error, not a memory leak.
 */
export class LineDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLineChars = 64 * 1024 * 1024) {}

  /** Complete lines contained in what was received so far. */
  push(chunk: Buffer | string): string[] {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > this.maxLineChars) {
      throw new RangeError(`watch event longer than ${this.maxLineChars} characters`);
    }
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left once the stream ended (a last line without newline). */
  end(): string[] {
    const rest = (this.pending + this.decoder.end()).trim();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}
