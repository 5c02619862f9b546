// What nunjucks-syntax templates may read. Compiled templates reach values through the runtime's
// memberLookup, contextOrFrameLookup and callWrap (native-runtime.ts); stock nunjucks lets
// `range.constructor("return process")()` build a function from a string. Ours only reads own
// data properties of plain objects, arrays and strings, never reads anything off a function, and
// refuses the names that lead to prototypes.
import nunjucks from 'nunjucks';
import { isGoMap } from './go/values.js';

/** A template tried to reach something outside its data (a prototype, a constructor, …). */
export class SandboxViolationError extends Error {
  override readonly name = 'SandboxViolationError';
}

/** A template read a variable that does not exist. */
export class UndefinedVariableError extends Error {
  override readonly name = 'UndefinedVariableError';
  constructor(readonly variable: string) {
    super(`undefined variable "${variable}"`);
  }
}

const FORBIDDEN = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);

export function isForbiddenName(name: unknown): boolean {
  return typeof name === 'string' && FORBIDDEN.has(name);
}

export function guardName(name: unknown): void {
  if (isForbiddenName(name))
    throw new SandboxViolationError(`access to "${String(name)}" is not allowed in templates`);
}

export interface Frame {
  variables: Record<string, unknown>;
  parent?: Frame | null;
}

/**
 * obj[key] as templates may read it: a string's or list's items and length, a map's own entries.
 * Keys are strings or numbers (an object as a key would be converted with its whole content).
 */
export function memberLookup(obj: unknown, key: unknown): unknown {
  guardName(key);
  if ((typeof key === 'object' && key !== null) || typeof key === 'function')
    throw new SandboxViolationError('a key must be a string or a number');
  if (obj === null || obj === undefined) return undefined;
  if (obj instanceof nunjucks.runtime.SafeString) obj = obj.val;
  if (typeof obj === 'function')
    throw new SandboxViolationError('templates cannot read properties of functions');
  if (typeof obj === 'string') {
    if (key === 'length') return obj.length;
    return typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key))
      ? obj[Number(key)]
      : undefined;
  }
  if (Array.isArray(obj)) {
    if (key === 'length') return obj.length;
    return typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key))
      ? (obj as unknown[])[Number(key)]
      : undefined;
  }
  if (isGoMap(obj)) {
    const k = String(key);
    if (!Object.hasOwn(obj, k)) return undefined;
    const v = obj[k];
    // Methods of nunjucks' own helper objects (cycler().next()) are called with their object.
    if (typeof v === 'function')
      return (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(obj, args);
    return v;
  }
  throw new SandboxViolationError(
    `templates cannot read properties of ${Object.prototype.toString.call(obj)}`,
  );
}

export function frameLookup(frame: Frame | null | undefined, name: string): unknown {
  for (let f = frame; f; f = f.parent) {
    if (Object.hasOwn(f.variables, name)) {
      const v = f.variables[name];
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

export const FORBIDDEN_CALLEES: ReadonlySet<unknown> = new Set<unknown>([
  Function,
  eval,
  Object,
  Reflect.construct,
  setTimeout,
  setInterval,
  setImmediate,
]);
