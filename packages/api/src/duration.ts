import { SYNC_INTERVAL_PATTERN } from './schemas/hub.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Milliseconds of a `syncInterval` such as `30s`, `5m` or `1h` (the single-unit Go durations the
 * CRD pattern admits), or undefined when the text does not match.
 */
export function parseSyncInterval(text: string): number | undefined {
  if (!SYNC_INTERVAL_PATTERN.test(text)) return undefined;
  const unit = text.slice(-1) as keyof typeof UNIT_MS;
  return Number(text.slice(0, -1)) * UNIT_MS[unit];
}
