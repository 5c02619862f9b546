// The runtime a compiled nunjucks-syntax template runs with: one per render. Compiled code reaches
// every value, operator, loop, macro and output write through it (see compile-native.ts), so each
// is checked against the sandbox and counted against the render's budget here.
import nunjucks from 'nunjucks';
import type { RenderBudget } from './budget.js';
import type { CallContext } from './functions/types.js';
import { isGoMap } from './go/values.js';
import {
  SafeString,
  lessOrEqual,
  lessThan,
  looseEquals,
  toPrimitive,
  toText,
  type Primitive,
} from './native-values.js';
import {
  FORBIDDEN_CALLEES,
  SandboxViolationError,
  UndefinedVariableError,
  frameLookup,
  guardName,
  memberLookup,
  type Frame,
} from './sandbox.js';

type Callable = (...args: unknown[]) => unknown;

/** What one render has: its budget and the context its library functions run with. */
export interface NativeRenderState {
  readonly budget: RenderBudget;
  readonly call: CallContext;
}

/** The environment compiled code sees: own entries only, frozen, shared by every render. */
export interface NativeEnvironment {
  readonly opts: Readonly<{ autoescape: false; throwOnUndefined: true }>;
  readonly globals: Readonly<Record<string, unknown>>;
  getFilter(name: string): Callable;
  getTest(name: string): Callable;
}

const states = new WeakMap<object, NativeRenderState>();

/**
 * The `context` of compiled code and the `this` of filters, tests and globals: the variables of
 * one render (an object without prototype) and, out of the template's reach, its render state.
 */
export class NativeContext {
  readonly ctx: Record<string, unknown>;
  constructor(
    variables: Readonly<Record<string, unknown>>,
    readonly env: NativeEnvironment,
    state: NativeRenderState,
  ) {
    const ctx = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(variables)) ctx[k] = variables[k];
    ctx._vars = variables;
    this.ctx = ctx;
    states.set(this, state);
  }
  /** `{% set %}` and `{% macro %}` at top level; names are identifiers checked at compile time. */
  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }
  addExport(): void {}
}

/** The render state of the context a filter or global was called with. */
export function renderStateOf(context: unknown): NativeRenderState {
  const state = typeof context === 'object' && context !== null ? states.get(context) : undefined;
  if (!state)
    throw new SandboxViolationError('template functions can only be called by a template');
  return state;
}

/** An error of compiled code, with the (0-based) template position it happened at. */
export class PositionedError extends Error {
  override readonly name = 'PositionedError';
  constructor(
    cause: unknown,
    readonly lineno: number,
    readonly colno: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

interface NunjucksFrame extends Frame {
  topLevel: boolean;
  set(name: string, value: unknown, resolveUp?: boolean): void;
  push(isolateWrites?: boolean): NunjucksFrame;
}
type FrameConstructor = new (parent?: NunjucksFrame, isolateWrites?: boolean) => NunjucksFrame;
const BaseFrame = (nunjucks.runtime as unknown as { Frame: FrameConstructor }).Frame;

// Compiled loops bind these once per iteration (`loop.index` counts the iteration).
const LOOP_KEYS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    'loop.index': 'index',
    'loop.index0': 'index0',
    'loop.revindex': 'revindex',
    'loop.revindex0': 'revindex0',
    'loop.first': 'first',
    'loop.last': 'last',
    'loop.length': 'length',
  }),
);

/**
 * Nunjucks' scope frame, counting loop iterations against the budget. Plain names and the loop
 * bindings are set directly: nunjucks' own set() splits every name on dots, which made it most
 * of the cost of a loop.
 */
class CountingFrame extends BaseFrame {
  readonly #budget: RenderBudget;
  constructor(parent: NunjucksFrame | undefined, isolateWrites: boolean, budget: RenderBudget) {
    super(parent, isolateWrites);
    this.#budget = budget;
  }
  override push(isolateWrites?: boolean): NunjucksFrame {
    return new CountingFrame(this, !!isolateWrites, this.#budget);
  }
  override set(name: string, value: unknown, resolveUp?: boolean): void {
    const loopKey = LOOP_KEYS[name];
    if (loopKey !== undefined) {
      if (loopKey === 'index') this.#budget.step(1, 'loop iterations');
      const vars = this.variables;
      const loop = (vars.loop ??= {});
      if (typeof loop === 'object' && loop !== null) {
        (loop as Record<string, unknown>)[loopKey] = value;
        return;
      }
    } else if (!resolveUp && !name.includes('.')) {
      this.variables[name] = value;
      return;
    }
    super.set(name, value, resolveUp);
  }
}

/** The root frame of one render. */
export function rootFrame(budget: RenderBudget): NunjucksFrame {
  const frame = new CountingFrame(undefined, false, budget);
  frame.topLevel = true;
  return frame;
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function describe(v: unknown): string {
  return typeof v === 'function' ? 'a function' : Object.prototype.toString.call(v);
}

const nunjucksRuntime = nunjucks.runtime as unknown as {
  makeMacro(argNames: string[], kwargNames: string[], fn: Callable): Callable;
  makeKeywordArgs(obj: object): object;
};

/** The runtime object compiled code receives as `runtime`, bound to one render's budget. */
export function createNativeRuntime(state: NativeRenderState): Readonly<Record<string, unknown>> {
  const { budget } = state;
  const prim = (v: unknown, what: string): Primitive =>
    isObjectLike(v) ? toPrimitive(v, budget, what) : (v as Primitive);
  const text = (v: unknown, what: string): string => String(prim(v, what));
  const runtime = {
    contextOrFrameLookup(context: NativeContext, frame: Frame, name: string): unknown {
      // `caller` is the variable nunjucks binds in a macro called with {% call %}.
      if (name !== 'caller') guardName(name);
      const v = frameLookup(frame, name);
      if (v !== undefined) return v;
      if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
      const globals = context.env.globals;
      if (Object.hasOwn(globals, name)) return globals[name];
      throw new UndefinedVariableError(name);
    },
    memberLookup,
    callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
      budget.step(1, 'function and macro calls');
      if (typeof fn !== 'function')
        throw new Error(
          `Unable to call \`${name}\`, which is ${fn ? 'not a function' : 'undefined or falsey'}`,
        );
      if (FORBIDDEN_CALLEES.has(fn))
        throw new SandboxViolationError(`calling ${name} is not allowed in templates`);
      return (fn as Callable).apply(context, args);
    },
    /** `{{ value }}`: its text, counted against the output budget. */
    suppressValue(v: unknown): string {
      const s = toText(v, budget);
      budget.output(s.length);
      return s;
    },
    /** Literal template text written to the output. */
    out(s: string): string {
      budget.output(s.length);
      return s;
    },
    ensureDefined(v: unknown): unknown {
      if (v === null || v === undefined)
        throw new Error('attempted to output null or undefined value');
      return v;
    },
    handleError(e: unknown, lineno: number, colno: number): unknown {
      return e instanceof PositionedError ? e : new PositionedError(e, lineno, colno);
    },
    /**
     * What a `for` loop iterates over: lists and strings as they are, maps as a prototype-free
     * copy of their own entries (compiled code iterates them with for…in). Anything else —
     * functions, the engine's own objects — is not data and cannot be iterated.
     */
    fromIterator(v: unknown): unknown {
      if (!isObjectLike(v) || Array.isArray(v)) return v;
      if (v instanceof SafeString) return v.val;
      if (isGoMap(v)) {
        const keys = Object.keys(v);
        budget.step(keys.length, 'loop iterations');
        const copy = Object.create(null) as Record<string, unknown>;
        for (const k of keys) copy[k] = v[k];
        return copy;
      }
      throw new SandboxViolationError(`templates cannot iterate over ${describe(v)}`);
    },
    isArray: Array.isArray,
    keys: Object.keys,
    makeMacro(argNames: string[], kwargNames: string[], fn: Callable): Callable {
      return nunjucksRuntime.makeMacro(argNames, kwargNames, function (this: unknown, ...args) {
        budget.enter();
        try {
          return fn.apply(this, args);
        } finally {
          budget.leave();
        }
      });
    },
    makeKeywordArgs: nunjucksRuntime.makeKeywordArgs,
    SafeString,
    // `new runtime.Frame()` in compiled macros: a counting frame of this render.
    Frame: function NativeFrame() {
      return new CountingFrame(undefined, false, budget);
    },
    inOperator(key: unknown, container: unknown): boolean {
      if (container instanceof SafeString) container = container.val;
      if (Array.isArray(container)) {
        budget.step(container.length, '"in" comparisons');
        return container.includes(key);
      }
      if (typeof container === 'string') {
        const s = text(key, '"in"');
        return container.includes(s);
      }
      if (isGoMap(container)) return Object.hasOwn(container, text(key, '"in"'));
      throw new SandboxViolationError(`cannot use "in" to search in ${describe(container)}`);
    },
    /** `+`: numbers add, and if either side is text, texts concatenate (as JavaScript). */
    add(a: unknown, b: unknown): unknown {
      const x = prim(a, '+');
      const y = prim(b, '+');
      if (typeof x === 'string' || typeof y === 'string') return concat(String(x), String(y), '+');
      return Number(x) + Number(y);
    },
    /** `~`: text concatenation. */
    concat(a: unknown, b: unknown): string {
      return concat(text(a, '~'), text(b, '~'), '~');
    },
    arith(op: string, a: unknown, b: unknown): number {
      const x = Number(prim(a, op));
      const y = Number(prim(b, op));
      switch (op) {
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return x / y;
        case '%':
          return x % y;
        case '//':
          return Math.floor(x / y);
        case '**':
          return Math.pow(x, y);
      }
      throw new SandboxViolationError(`unknown operator ${op}`);
    },
    neg(a: unknown): number {
      return -Number(prim(a, '-'));
    },
    pos(a: unknown): number {
      return Number(prim(a, '+'));
    },
    compare(op: string, a: unknown, b: unknown): boolean {
      if (op === '===') return a === b;
      if (op === '!==') return a !== b;
      if ((op === '==' || op === '!=') && isObjectLike(a) && isObjectLike(b))
        return (a === b) === (op === '==');
      const x = prim(a, op);
      const y = prim(b, op);
      switch (op) {
        case '==':
          return looseEquals(x, y);
        case '!=':
          return !looseEquals(x, y);
        case '<':
          return lessThan(x, y);
        case '>':
          return lessThan(y, x);
        case '<=':
          return lessOrEqual(x, y);
        case '>=':
          return lessOrEqual(y, x);
      }
      throw new SandboxViolationError(`unknown comparison ${op}`);
    },
  };
  function concat(x: string, y: string, what: string): string {
    budget.value(x.length + y.length, what);
    return x + y;
  }
  return Object.freeze(runtime);
}
