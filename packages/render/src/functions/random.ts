// uuidv4 and randAlphaNum over an injectable random source.
import { checkSize } from './limits.js';
import { def, type CallContext, type GoFunction } from './types.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function uuidv4(ctx: CallContext): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(ctx.random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const randomFunctions: Record<string, GoFunction> = {
  uuidv4: def([], (ctx) => uuidv4(ctx)),
  randAlphaNum: def(['int'], (ctx, n) => {
    const count = n as number;
    checkSize(ctx, count, 'randAlphaNum');
    ctx.budget.step(Math.max(0, count), 'randAlphaNum: characters made');
    let out = '';
    for (let i = 0; i < count; i++) out += ALNUM[Math.floor(ctx.random() * ALNUM.length)];
    return out;
  }),
};
