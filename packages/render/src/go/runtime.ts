// Runtime helpers that compiled Go templates call (as nunjucks globals). `this` is the nunjucks
// Context; its ctx holds the render state: slots (__s), constants (__k) and the call context.
import { FUNCTIONS, callFunction } from '../functions/library.js';
import { FunctionError, type CallContext } from '../functions/types.js';
import { formatValue } from './fmt.js';
import { decodePos } from './compile.js';
import { GoTime, isGoMap, truth, typeName, type GoMap } from './values.js';

export interface GoRenderState {
  __s: unknown[];
  __k: readonly unknown[];
  __c: CallContext;
  /** missingkey: 'error' (Lynq) or 'zero' (validation with sample variables: missing → ""). */
  __m: 'error' | 'zero';
  /** Range iterations left in this render (nested loops multiply; the operator must not hang). */
  __n: number;
}

/** Range iterations one render may run, all loops together. */
export const MAX_ITERATIONS = 1_000_000;

interface NunjucksThis {
  ctx: GoRenderState;
}

/** A failure while executing a Go template, at a line:column of the template. */
export class GoExecError extends Error {
  override readonly name = 'GoExecError';
  /** Set so that nunjucks passes the error through unchanged. */
  readonly lineno: number;
  readonly colno: number;
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    options?: ErrorOptions,
  ) {
    super(`${line}:${column}: ${reason}`, options);
    this.lineno = line;
    this.colno = column;
  }
}

function fail(pos: number, reason: string, cause?: unknown): never {
  const p = decodePos(pos);
  throw new GoExecError(reason, p.line, p.column, cause === undefined ? undefined : { cause });
}

function field(this: NunjucksThis, pos: number, obj: unknown, name: string): unknown {
  if (isGoMap(obj)) {
    if (Object.hasOwn(obj, name)) return (obj as GoMap)[name];
    if (this.ctx.__m === 'zero') return '';
    return fail(pos, `map has no entry for key "${name}"`);
  }
  if (obj === null || obj === undefined)
    return fail(pos, `nil pointer evaluating interface {}.${name}`);
  if (obj instanceof GoTime)
    return fail(pos, `time.Time methods (.${name}) are not supported by Lynq templates`);
  return fail(pos, `can't evaluate field ${name} in type ${typeName(obj)}`);
}

function call(this: NunjucksThis, pos: number, name: string, ...args: unknown[]): unknown {
  try {
    return callFunction(this.ctx.__c, name, FUNCTIONS[name]!, args);
  } catch (err) {
    if (err instanceof FunctionError)
      return fail(pos, `error calling ${name}: ${err.message}`, err);
    throw err;
  }
}

/** What {{ pipeline }} prints: Go's %v, and "<no value>" for nil. */
function output(_pos: number, v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<no value>';
  return formatValue(v);
}

function rangeItems(pos: number, v: unknown, decls: number): unknown[][] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (isGoMap(v))
    return Object.keys(v)
      .sort()
      .map((k) => [k, (v as GoMap)[k]]);
  if (typeof v === 'number') {
    if (v > 1_000_000)
      return fail(pos, `range over ${v} is not supported (at most 1000000 iterations)`);
    if (decls > 1)
      return fail(pos, `can't use ${formatValue(v)} to iterate over more than one variable`);
    return Array.from({ length: Math.max(0, v) }, (_x, i) => [i, i]);
  }
  return fail(pos, `range can't iterate over ${formatValue(v)}`);
}

/** A field chain read from a variable slot (`.a.b` on dot, `$x.a`): one helper call. */
function slotFields(this: NunjucksThis, pos: number, slot: number, ...names: string[]): unknown {
  let v = this.ctx.__s[slot];
  for (const name of names) v = field.call(this, pos, v, name);
  return v;
}

/** The nunjucks globals a compiled Go template uses. */
export const goRuntimeGlobals: Record<string, (...args: never[]) => unknown> = {
  __lf: field,
  __lfv: slotFields,
  __lc: call,
  __lo: output,
  __lt: (v: unknown) => truth(v),
  __lv(this: NunjucksThis, slot: number) {
    return this.ctx.__s[slot];
  },
  __ld(this: NunjucksThis, slot: number, v: unknown) {
    this.ctx.__s[slot] = v;
    return '';
  },
  __lsv(this: NunjucksThis, slot: number, v: unknown) {
    this.ctx.__s[slot] = v;
    return v;
  },
  __lr: rangeItems,
  __le(
    this: NunjucksThis,
    pos: number,
    e: unknown[],
    keySlot: number,
    valueSlot: number,
    dotSlot: number,
  ) {
    if (--this.ctx.__n < 0)
      fail(pos, `more than ${MAX_ITERATIONS} range iterations in one template`);
    const s = this.ctx.__s;
    s[dotSlot] = e[1];
    if (keySlot >= 0) s[keySlot] = e[0];
    if (valueSlot >= 0) s[valueSlot] = e[1];
    return '';
  },
  __lk(this: NunjucksThis, i: number) {
    return this.ctx.__k[i];
  },
  __lx: (pos: number, reason: string) => fail(pos, reason),
};
