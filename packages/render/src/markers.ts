// Lynq's typed values (reference §4): `int`, `float` and `bool` return marker strings; when a
// rendered field starts with one, the manifest gets a real number or boolean, except in fields
// that must stay strings, where the marker is stripped.
import { BOOL_MARKER, FLOAT_MARKER, INT_MARKER } from './functions/lynq.js';
import { parseGoDecimal, parseGoFloat } from './go/values.js';

export { BOOL_MARKER, FLOAT_MARKER, INT_MARKER };

const MARKERS = [INT_MARKER, FLOAT_MARKER, BOOL_MARKER] as const;

/** Keys whose values stay strings wherever they are. */
const STRING_KEYS = new Set(['apiVersion', 'kind']);
/** Maps whose values stay strings. */
const STRING_MAPS = new Set(['annotations', 'labels', 'matchLabels', 'nodeSelector']);
/** ConfigMap/Secret maps whose values stay strings. */
const DATA_MAPS = new Set(['data', 'binaryData', 'stringData']);

/** Where a rendered string sits, for the keep-string rules. */
export interface MarkerContext {
  key: string | number | undefined;
  parentKey: string | number | undefined;
  kind: unknown;
}

export function keepsString(ctx: MarkerContext): boolean {
  if (typeof ctx.key === 'string' && STRING_KEYS.has(ctx.key)) return true;
  if (typeof ctx.parentKey !== 'string') return false;
  if (STRING_MAPS.has(ctx.parentKey)) return true;
  return DATA_MAPS.has(ctx.parentKey) && (ctx.kind === 'ConfigMap' || ctx.kind === 'Secret');
}

/** The text after a leading marker, or the text itself. */
export function stripTypeMarker(s: string): string {
  for (const m of MARKERS) if (s.startsWith(m)) return s.slice(m.length);
  return s;
}

function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Resolves a rendered string: a number/boolean for a leading marker, else the string. */
export function resolveTypedValue(s: string, ctx: MarkerContext): unknown {
  if (!s.startsWith('__LYNQ_TYPE_')) return s;
  if (keepsString(ctx)) return stripTypeMarker(s);
  if (s.startsWith(INT_MARKER)) {
    const n = parseGoDecimal(s.slice(INT_MARKER.length));
    return n ?? s;
  }
  if (s.startsWith(FLOAT_MARKER)) {
    const text = s.slice(FLOAT_MARKER.length);
    const f = /^[+-]?(inf|infinity|nan)$/i.test(text) ? undefined : parseGoFloat(text);
    return f ?? s;
  }
  if (s.startsWith(BOOL_MARKER)) return parseBool(s.slice(BOOL_MARKER.length)) ?? s;
  return s;
}
