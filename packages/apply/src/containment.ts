import { ATOMIC, type ListType, type SchemaCursor } from './list-types.js';
import { isPlainObject } from './object-ref.js';

/**
 * True when every field `desired` sets has the same value in `live` (extra live fields are fine):
 * a live object that still contains the desired state has not drifted. Zero values (`false`, `0`,
 * `""`, `null`, `{}`, `[]`) also match an absent live field, because the API server omits empty
 * fields.
 *
 * Lists follow the schema, as Server-Side Apply merges them: an atomic list (the default, and
 * every list the schema says nothing of) must match element by element, in order and in length;
 * a map list (containers by name) needs each desired entry under its key, wherever it sits, and
 * tolerates entries of other managers; a set needs each desired value somewhere.
 */
export function isContainedIn(desired: unknown, live: unknown, schema?: SchemaCursor): boolean {
  if (live === undefined) return isZeroValue(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return false;
    return listContained(desired, live, schema?.listType() ?? ATOMIC, schema?.items());
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    for (const [key, value] of Object.entries(desired)) {
      if (value === undefined) continue;
      if (!isContainedIn(value, live[key], schema?.field(key))) return false;
    }
    return true;
  }
  if (desired === null) return live === null;
  return desired === live;
}

function listContained(
  desired: readonly unknown[],
  live: readonly unknown[],
  listType: ListType,
  items: SchemaCursor | undefined,
): boolean {
  switch (listType.type) {
    case 'atomic':
      return (
        desired.length === live.length && desired.every((d, i) => isContainedIn(d, live[i], items))
      );
    case 'set':
      return desired.every((d) => live.some((l) => isContainedIn(d, l, items)));
    case 'map':
      return desired.every((d) => {
        // A key the desired entry leaves out is defaulted by the server (a port's protocol):
        // match on the keys it sets when no entry matches them all.
        const match =
          live.find((l) => sameKeys(d, l, listType.keys, false)) ??
          live.find((l) => sameKeys(d, l, listType.keys, true));
        return match !== undefined && isContainedIn(d, match, items);
      });
  }
}

/** Whether two map-list entries have the same key fields. */
function sameKeys(
  desired: unknown,
  live: unknown,
  keys: readonly string[],
  absentMatchesAny: boolean,
): boolean {
  if (!isPlainObject(desired) || !isPlainObject(live)) return false;
  return keys.every(
    (k) => desired[k] === live[k] || (absentMatchesAny && desired[k] === undefined),
  );
}

function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.values(value).every((v) => v === undefined);
  return false;
}
