import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { LineDecoder } from './watch-decoder.js';

describe('LineDecoder', () => {
  it('splits lines across arbitrary chunk boundaries, also inside multi-byte characters', () => {
    const events = [
      { type: 'ADDED', object: { v: 'grüße 🚀' } },
      { type: 'BOOKMARK', object: {} },
    ];
    const bytes = Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (let size = 1; size <= 7; size++) {
      const d = new LineDecoder();
      const lines: string[] = [];
      for (let i = 0; i < bytes.length; i += size)
        lines.push(...d.push(bytes.subarray(i, i + size)));
      lines.push(...d.end());
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(events);
    }
  });

  it('returns an unterminated last line at the end and skips blank lines', () => {
    const d = new LineDecoder();
    expect(d.push('a\n\n  \nb')).toEqual(['a']);
    expect(d.end()).toEqual(['b']);
  });

  it('refuses a line beyond its limit', () => {
    const d = new LineDecoder(10);
    expect(() => d.push('x'.repeat(11))).toThrow(RangeError);
  });
});

describe('Backoff', () => {
  it('doubles up to the maximum, jitters downwards, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    b.reset();
    expect(b.next()).toBe(100);
    const j = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.999 });
    const d = j.next();
    expect(d).toBeGreaterThan(50);
    expect(d).toBeLessThan(51);
  });
});
