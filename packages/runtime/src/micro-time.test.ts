import { describe, expect, it } from 'vitest';
import { formatMicroTime, formatTime } from './micro-time.js';

describe('formatMicroTime', () => {
  it('writes six fractional digits in UTC', () => {
    const ms = Date.UTC(2026, 10, 22, 10, 0, 0, 123);
    expect(formatMicroTime(ms)).toBe('2026-11-22T10:00:00.123000Z');
    expect(formatMicroTime(ms + 0.456)).toBe('2026-11-22T10:00:00.123456Z');
    expect(formatMicroTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000000Z');
    expect(formatMicroTime(ms)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('writes metav1.Time in whole seconds', () => {
    expect(formatTime(Date.UTC(2026, 10, 22, 10, 0, 5, 999))).toBe('2026-11-22T10:00:05Z');
  });
});
