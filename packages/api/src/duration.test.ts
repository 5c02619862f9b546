import { expect, it } from 'vitest';
import { parseSyncInterval } from './duration.js';

it.each([
  ['30s', 30_000],
  ['0s', 0],
  ['5m', 300_000],
  ['1h', 3_600_000],
  ['90s', 90_000],
])('parses %s', (text, ms) => expect(parseSyncInterval(text)).toBe(ms));

it.each(['30', '30x', '1h30m', '-1s', ' 30s', '1.5m', ''])('rejects %j', (text) =>
  expect(parseSyncInterval(text)).toBeUndefined(),
);
