import { isPlainObject } from './object-ref.js';

/**
 * True when every field `desired` sets has the same value in `live` (extra live fields are fine):
 * a live object that still contains the desired state has not drifted. Zero values (`false`, `0`,
 * `""`, `null`, `{}`, `[]`) also match an absent live field, because the API server omits empty
 * fields. Each desired array element must match some live element, so an element removed from
 * live counts as drift while server-added elements do not.
 */
export function isContainedIn(desired: unknown, live: unknown): boolean {
  if (live === undefined) return isZeroValue(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return false;
    return desired.every(
      (item: unknown, i) =>
        isContainedIn(item, live[i]) ||
        live.some((candidate: unknown) => isContainedIn(item, candidate)),
    );
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    for (const [key, value] of Object.entries(desired)) {
      if (value === undefined) continue;
      if (!isContainedIn(value, live[key])) return false;
    }
    return true;
  }
  if (desired === null) return live === null;
  return desired === live;
}

function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.values(value).every((v) => v === undefined);
  return false;
}
