// Status comparison by value, so a controller writes a status only when it really changed.
import { equalJson } from './equal.js';

/** Status fields whose API type is a set (or a map keyed by `type`): their order carries nothing. */
const SET_FIELDS = new Set([
  'conditions',
  'appliedResources',
  'appliedResourceRefs',
  'skippedResourceIds',
]);

function canonicalText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalText(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sortedSet(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list
    .map((item) => ({ item, text: canonicalText(item) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map((x) => x.item);
}

function canonicalStatus(status: unknown): unknown {
  if (status === null || typeof status !== 'object' || Array.isArray(status)) return status;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status as Record<string, unknown>))
    out[key] = SET_FIELDS.has(key) ? sortedSet(value) : value;
  return out;
}

/**
 * Whether two statuses (of a hub, form or node) are equal by value: every field counts
 * (lastTransitionTime included), absent equals undefined, and the order of conditions,
 * appliedResources, appliedResourceRefs and skippedResourceIds does not matter.
 */
export function equalStatus(a: unknown, b: unknown): boolean {
  return equalJson(canonicalStatus(a ?? {}), canonicalStatus(b ?? {}));
}
