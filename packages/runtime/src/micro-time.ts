/**
 * metav1.MicroTime as the API server parses it: RFC 3339 in UTC with exactly six fractional
 * digits, e.g. `2026-11-22T10:00:00.123456Z`. `epochMs` may carry sub-millisecond fractions.
 */
export function formatMicroTime(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const iso = new Date(wholeMs).toISOString(); // 2026-11-22T10:00:00.123Z
  const micros = Math.floor((epochMs - Math.floor(wholeMs / 1000) * 1000) * 1000);
  return `${iso.slice(0, 19)}.${String(Math.min(999_999, Math.max(0, micros))).padStart(6, '0')}Z`;
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function formatTime(epochMs: number): string {
  return `${new Date(Math.floor(epochMs)).toISOString().slice(0, 19)}Z`;
}
