import { describe, expect, it } from 'vitest';
import { isApiDateTime } from './date-time.js';

describe('isApiDateTime', () => {
  it.each([
    '2025-06-01T10:00:00Z',
    '2025-06-01T10:00:00.123456789Z',
    '2025-06-01T10:00:00+09:00',
    '2025-06-01t10:00:00z',
    '2024-02-29T23:59:59-05:00',
    // The API server's quirks: any one character before the fraction, no range check on the
    // offset, and nothing after a second T is looked at.
    '2025-06-01T10:00:00,5Z',
    '2025-06-01T10:00:00+09:60',
    '2025-06-01T10:00:00ZT',
  ])('accepts %s', (value) => expect(isApiDateTime(value)).toBe(true));

  it.each([
    '',
    '2025-06-01',
    '2025-06-01 10:00:00Z',
    '2025-06-01T10:00:00',
    '2025-06-01T10:00Z',
    '2025-13-01T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2025-06-31T10:00:00Z',
    '2025-06-01T24:00:00Z',
    '2025-06-01T10:60:00Z',
    '2025-06-01T10:00:60Z',
    '2025-06-01T10:00:00+0900',
    '2025-06-01TT10:00:00Z',
    '2025-06-01T10:00:00.Z',
    '2025-6-01T10:00:00Z',
  ])('rejects %j', (value) => expect(isApiDateTime(value)).toBe(false));
});
