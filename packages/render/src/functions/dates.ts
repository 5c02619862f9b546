// Sprig's date functions over an injectable clock.
import { formatGoTime, isKnownZone } from '../go/time.js';
import { GoTime, Int64 } from '../go/values.js';
import { FunctionError, def, type CallContext, type GoFunction } from './types.js';

function toTime(ctx: CallContext, v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'number') return new GoTime(v * 1000, 'Local');
  if (v instanceof Int64) return new GoTime(v.value * 1000, 'Local');
  // Sprig falls back to time.Now() for anything else.
  return new GoTime(ctx.now(), 'Local');
}

function inZone(ctx: CallContext, layout: string, v: unknown, zone: string): string {
  const t = toTime(ctx, v);
  // An unknown zone falls back to UTC, as in Sprig.
  const z = isKnownZone(zone) ? zone : 'UTC';
  return formatGoTime(new GoTime(t.epochMs, z), layout);
}

export const dateFunctions: Record<string, GoFunction> = {
  now: def([], (ctx) => new GoTime(ctx.now(), 'Local')),
  date: def(['string', 'any'], (ctx, layout, v) => inZone(ctx, layout as string, v, 'Local')),
  dateInZone: def(['string', 'any', 'string'], (ctx, layout, v, zone) =>
    inZone(ctx, layout as string, v, zone as string),
  ),
  unixEpoch: def(['time'], (_ctx, t) => {
    if (!(t instanceof GoTime)) throw new FunctionError('expected a time.Time');
    return String(Math.floor(t.epochMs / 1000));
  }),
};
