import { createHash } from 'node:crypto';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first `length` hex digits of SHA-256 over the parts joined by NUL, as UTF-8. A string with a
 * lone surrogate (which UTF-8 cannot hold) is hashed as 0xFF + its UTF-16LE code units instead, so
 * two different strings never share an input (0xFF never occurs in UTF-8).
 */
export function shortHash(parts: readonly string[], length = 10): string {
  const text = parts.join('\u0000');
  const bytes = LONE_SURROGATE.test(text)
    ? Buffer.concat([Buffer.from([0xff]), Buffer.from(text, 'utf16le')])
    : Buffer.from(text, 'utf8');
  return createHash('sha256').update(bytes).digest('hex').slice(0, length);
}
