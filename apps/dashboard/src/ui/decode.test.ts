import { describe, expect, it } from 'vitest';
import { safeDecode } from './decode.js';

describe('safeDecode', () => {
  it('decodes escapes', () => {
    expect(safeDecode('tenant%2Fa%20b')).toBe('tenant/a b');
  });

  it('keeps malformed escapes as they are instead of throwing', () => {
    expect(() => decodeURIComponent('%E0%A4%A')).toThrow(URIError);
    expect(safeDecode('%E0%A4%A')).toBe('%E0%A4%A');
    expect(safeDecode('res-%')).toBe('res-%');
  });
});
