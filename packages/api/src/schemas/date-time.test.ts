import { describe, expect, it } from 'vitest';
import { isApiDateTime } from './date-time.js';

describe('isApiDateTime', () => {
  it.each([
    '2025-06-01T10:00:00Z',
    '2025-06-01T10:00:00.123456789Z',
    '2025-06-01T10:00:00+09:00',
    '2025-06-01t10:00:00z',
    '2024-02-29T23:59:59-05:00',
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
  ])('rejects %j', (value) => expect(isApiDateTime(value)).toBe(false));
});
