// Lynq's own functions (reference §4): toHost, trunc63, sha1sum, fromJson, and the typed
// markers int / float / bool. They override Sprig's functions of the same name.
import { hash } from 'node:crypto';
import { formatFloat, numberOf, parseGoDecimal, parseGoFloat } from '../go/values.js';
import { RenderBudgetError } from '../budget.js';
import { newMap } from '../go/values.js';
import { byteSlice, byteLength } from './strings.js';
import { parseGoJson } from './encoding.js';
import { meter } from './limits.js';
import { def, type GoFunction } from './types.js';

export const INT_MARKER = '__LYNQ_TYPE_INT__';
export const FLOAT_MARKER = '__LYNQ_TYPE_FLOAT__';
export const BOOL_MARKER = '__LYNQ_TYPE_BOOL__';

/** Host name of a URL without the port; a non-URL is cut at its first colon. */
export function toHost(s: string): string {
  const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)/.exec(s);
  if (m && m[1]) {
    const authority = m[1].slice(m[1].lastIndexOf('@') + 1);
    let host = authority;
    const colon = authority.lastIndexOf(':');
    const port = colon >= 0 ? authority.slice(colon + 1) : '';
    const bracketed = authority.startsWith('[');
    if (colon >= 0 && (!bracketed || authority.lastIndexOf(']') < colon)) {
      if (/^[0-9]*$/.test(port)) host = authority.slice(0, colon);
      else host = ''; // url.Parse rejects the port: fall back below
    }
    if (host !== '') return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  }
  const i = s.indexOf(':');
  return i >= 0 ? s.slice(0, i) : s;
}

function toIntValue(v: unknown): number {
  const n = numberOf(v);
  if (n !== undefined) return Number.isFinite(n) ? Math.trunc(n) : -9223372036854775808;
  if (typeof v === 'string') {
    const i = parseGoDecimal(v);
    if (i !== undefined) return i;
    const f = parseGoFloat(v);
    return f !== undefined && Number.isFinite(f)
      ? Math.trunc(f)
      : f === undefined
        ? 0
        : -9223372036854775808;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

function toFloatValue(v: unknown): number {
  const n = numberOf(v);
  if (n !== undefined) return n;
  if (typeof v === 'string') return parseGoFloat(v) ?? 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

function toBoolValue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['true', '1', 'yes', 'on', 't', 'y'].includes(v.toLowerCase());
  const n = numberOf(v);
  return n !== undefined && n !== 0;
}

export const lynqFunctions: Record<string, GoFunction> = {
  toHost: def(['string'], (_c, s) => toHost(s as string)),
  trunc63: def(['string'], (_c, s) =>
    byteLength(s as string) > 63 ? byteSlice(s as string, 0, 63) : s,
  ),
  sha1sum: def(['string'], (_c, s) => hash('sha1', s as string, 'hex')),
  fromJson: def(['string'], (ctx, s) => {
    try {
      return parseGoJson(s as string, meter(ctx, 'fromJson', 'items'));
    } catch (err) {
      if (err instanceof RenderBudgetError) throw err;
      return newMap();
    }
  }),
  int: def(['any'], (_c, v) => `${INT_MARKER}${toIntValue(v)}`),
  float: def(['any'], (_c, v) => `${FLOAT_MARKER}${formatFloat(toFloatValue(v), 'g', -1)}`),
  bool: def(['any'], (_c, v) => `${BOOL_MARKER}${toBoolValue(v)}`),
};
