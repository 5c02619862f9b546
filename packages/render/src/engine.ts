// The template engine: both syntaxes compiled to nunjucks, rendered with the sandboxed runtime,
// compiled once per (syntax, text) and cached.
import nunjucks from 'nunjucks';
import { FUNCTIONS, callFunction } from './functions/library.js';
import { randomInt } from 'node:crypto';
import { TemplateFailure } from './functions/defaults.js';
import { FunctionError, type CallContext } from './functions/types.js';
import { compileGoTemplate } from './go/compile.js';
import { GoTemplateSyntaxError } from './go/parser.js';
import { GoExecError, MAX_ITERATIONS, type GoRenderState } from './go/runtime.js';
import { Float64 } from './go/values.js';
import { LruCache } from './lru.js';
import { PROBE_FUNCTION, compileNativeSource } from './compile-native.js';
import {
  SandboxViolationError,
  UndefinedVariableError,
  goRuntime,
  isForbiddenName,
  sandboxedRuntime,
} from './sandbox.js';

export type TemplateSyntax = 'go' | 'nunjucks';

export interface RenderOptions {
  /** `go` (Lynq's text/template + Sprig, the default) or `nunjucks`. */
  syntax?: TemplateSyntax;
  /** The clock for now/date (default: the system clock). */
  clock?: () => Date | number;
  /** Random numbers in [0, 1) for uuidv4/randAlphaNum (default: the operating system's cryptographic random source, as Sprig). */
  random?: () => number;
}

/** Internal: validation renders with missing variables read as "". */
export interface InternalRenderOptions extends RenderOptions {
  missingKey?: 'error' | 'zero';
}

/** A template that does not parse or fails while rendering, with the place in the template. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly phase: 'parse' | 'execute',
    /** What is wrong, without the position. */
    readonly reason: string,
    /** 1-based line and column in the template text, when known. */
    readonly line?: number,
    readonly column?: number,
    /** Set when the template itself asked to stop (`fail`, `required`). */
    readonly failure = false,
    options?: ErrorOptions,
  ) {
    super(`${line !== undefined ? `${line}:${column ?? 0}: ` : ''}${reason}`, options);
  }
}

/** A template compiled once and rendered for any number of variable sets. */
export interface CompiledTemplate {
  readonly syntax: TemplateSyntax;
  readonly text: string;
  /** True when the text has no template syntax at all (rendering returns it unchanged). */
  readonly isStatic: boolean;
  render(variables: Readonly<Record<string, unknown>>, options?: InternalRenderOptions): string;
}

// ---- nunjucks plumbing ----

interface NunjucksCompiler {
  compile(
    src: string,
    asyncFilters: unknown,
    extensions: unknown,
    name: string,
    opts: unknown,
  ): string;
}
interface EnvInternals {
  asyncFilters: unknown;
  extensionsList: unknown;
  opts: unknown;
  globals: Record<string, unknown>;
  filters: Record<string, (...args: unknown[]) => unknown>;
}
type RootFn = (
  env: unknown,
  context: unknown,
  frame: unknown,
  runtime: unknown,
  cb: unknown,
) => void;

function makeEnvironment(): nunjucks.Environment {
  return new nunjucks.Environment([], {
    autoescape: false,
    throwOnUndefined: true,
    dev: true,
  } as nunjucks.ConfigureOptions);
}

function internals(env: nunjucks.Environment): EnvInternals {
  return env as unknown as EnvInternals;
}

/** Compiles nunjucks source to the functions of its compiled module (root, blocks). */
function compileNunjucksModule(
  env: nunjucks.Environment,
  source: string,
  withProbes = false,
): Record<string, RootFn> {
  const e = internals(env);
  const compiler = (nunjucks as unknown as { compiler: NunjucksCompiler }).compiler;
  const code = withProbes
    ? compileNativeSource(source, e)
    : compiler.compile(source, e.asyncFilters, e.extensionsList, 'template', e.opts);
  // The code is nunjucks' own output for our (or the user's) template; everything it reads goes
  // through the runtime passed to root(), which is always one of ours.
  return new Function(code)() as Record<string, RootFn>;
}

/** Compiles nunjucks source to a Template whose code runs with the sandboxed runtime. */
function compileNunjucks(env: nunjucks.Environment, source: string): nunjucks.Template {
  const props = compileNunjucksModule(env, source, true);
  const wrapped: Record<string, RootFn> = {};
  for (const [k, fn] of Object.entries(props))
    wrapped[k] = (envArg, context, frame, _runtime, cb) =>
      fn(envArg, context, frame, sandboxedRuntime, cb);
  return new nunjucks.Template(
    { type: 'code', obj: wrapped } as unknown as string,
    env,
    'template',
    true,
  );
}

const goEnv = makeEnvironment();
const nativeEnv = makeEnvironment();

function resetGlobals(env: nunjucks.Environment): void {
  const g = internals(env).globals;
  for (const k of Object.keys(g)) delete g[k];
}

resetGlobals(goEnv);

// Native syntax: every library function as a global (Go argument order) and as a filter (the
// filtered value comes last, as in a Go pipeline: `x | default("y")` is `default "y" x`).
function nativeArg(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number' && !Number.isInteger(v)) return new Float64(v);
  return v;
}
function callNative(ctx: CallContext, name: string, args: unknown[]): unknown {
  try {
    return callFunction(ctx, name, FUNCTIONS[name]!, args.map(nativeArg));
  } catch (err) {
    if (err instanceof FunctionError)
      throw new FunctionError(`error calling ${name}: ${err.message}`, { cause: err });
    throw err;
  }
}
interface NativeThis {
  ctx: { __c: CallContext };
}
for (const name of Object.keys(FUNCTIONS)) {
  nativeEnv.addGlobal(name, function (this: NativeThis, ...args: unknown[]) {
    return callNative(this.ctx.__c, name, args);
  });
  nativeEnv.addFilter(name, function (this: NativeThis, value: unknown, ...args: unknown[]) {
    return callNative(this.ctx.__c, name, [...args, value]);
  });
}
// Nunjucks filters that read attributes by name must not read prototypes.
for (const [name, attrArg] of [
  ['groupby', 1],
  ['selectattr', 1],
  ['rejectattr', 1],
  ['sort', 3],
  ['sum', 1],
] as const) {
  const original = internals(nativeEnv).filters[name]!;
  nativeEnv.addFilter(name, function (this: unknown, ...args: unknown[]) {
    const attr = args[attrArg];
    if (typeof attr === 'string' && attr.split('.').some(isForbiddenName))
      throw new SandboxViolationError(`access to "${attr}" is not allowed in templates`);
    return original.apply(this, args);
  });
}
// Reads a variable that may be missing (see compile-native.ts).
nativeEnv.addGlobal(
  PROBE_FUNCTION,
  function (this: { ctx: Record<string, unknown> }, name: string) {
    if (isForbiddenName(name))
      throw new SandboxViolationError(`access to "${name}" is not allowed in templates`);
    return Object.hasOwn(this.ctx, name) ? this.ctx[name] : undefined;
  },
);
// nunjucks' range() builds the whole list: cap it like until/untilStep.
const nunjucksRange = internals(nativeEnv).globals.range as (...a: number[]) => number[];
nativeEnv.addGlobal('range', (start: number, stop?: number, step = 1) => {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (step !== 0 && Math.abs((to - from) / step) > 1_000_000)
    throw new SandboxViolationError('range() is limited to 1000000 items in templates');
  return stop === undefined ? nunjucksRange(start) : nunjucksRange(start, stop, step);
});
nativeEnv.addFilter('random', function (this: NativeThis, list: unknown) {
  if (!Array.isArray(list) || list.length === 0) return list;
  return list[Math.floor(this.ctx.__c.random() * list.length)];
});

// ---- compiled templates ----

/** A uniformly random number in [0, 1) from the OS's cryptographic source (48 bits). */
function cryptoRandom(): number {
  return randomInt(2 ** 47) / 2 ** 47;
}

const SYSTEM_CALL_CONTEXT: CallContext = Object.freeze({
  now: () => Date.now(),
  random: cryptoRandom,
});

function defaultCallContext(options: RenderOptions): CallContext {
  const clock = options.clock;
  if (!clock && !options.random) return SYSTEM_CALL_CONTEXT;
  return {
    now: clock ? () => Number(clock()) : () => Date.now(),
    random: options.random ?? cryptoRandom,
  };
}

function toTemplateError(err: unknown, phase: 'parse' | 'execute'): TemplateError {
  // nunjucks wraps what our helpers throw; the cause chain holds the original.
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof TemplateError) return e;
    if (e instanceof GoExecError) {
      const failure = e.cause instanceof TemplateFailure;
      return new TemplateError('execute', e.reason, e.line, e.column, failure, { cause: err });
    }
    if (e instanceof GoTemplateSyntaxError)
      return new TemplateError('parse', e.reason, e.line, e.column, false, { cause: err });
    if (
      e instanceof UndefinedVariableError ||
      e instanceof SandboxViolationError ||
      e instanceof FunctionError
    ) {
      const pos = positionOf(err, phase);
      return new TemplateError(
        phase,
        e.message,
        pos?.line,
        pos?.column,
        e instanceof TemplateFailure,
        {
          cause: err,
        },
      );
    }
    if (!(e.cause instanceof Error)) break;
    e = e.cause;
  }
  const pos = positionOf(err, phase);
  const message = err instanceof Error ? err.message : String(err);
  // nunjucks messages carry "(template) [Line 1, Column 5]\n  Error: reason"; keep the reason.
  const reason = message
    .replace(/^\(?template\)?\s*(\[Line \d+, Column \d+\])?\s*/s, '')
    .replace(/^\s*(Template render error:\s*)?(\w*Error: )?/s, '')
    .trim();
  return new TemplateError(phase, reason, pos?.line, pos?.column, false, { cause: err });
}

/**
 * Where nunjucks says an error happened. Its parser reports 1-based positions; at render time
 * the compiled code records 0-based ones (see compile-native.ts).
 */
function positionOf(
  err: unknown,
  phase: 'parse' | 'execute',
): { line: number; column: number } | undefined {
  const e = err as { lineno?: unknown; colno?: unknown; message?: unknown };
  const base = phase === 'execute' ? 1 : 0;
  if (typeof e.lineno === 'number' && (e.lineno > 0 || phase === 'execute'))
    return { line: e.lineno + base, column: (typeof e.colno === 'number' ? e.colno : 0) + base };
  const m = typeof e.message === 'string' ? /\[Line (\d+), Column (\d+)\]/.exec(e.message) : null;
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

class StaticTemplate implements CompiledTemplate {
  readonly isStatic = true;
  constructor(
    readonly syntax: TemplateSyntax,
    readonly text: string,
  ) {}
  render(): string {
    return this.text;
  }
}

type FrameCtor = new () => object;
const NunjucksFrame = (nunjucks.runtime as unknown as { Frame: FrameCtor }).Frame;

// Rendering is synchronous (no async filters): root() calls back before it returns, and no
// template renders another, so one module-level slot receives the result without a closure.
const syncResult: { error: unknown; output: string } = { error: null, output: '' };
function receiveResult(err: unknown, res: string): void {
  syncResult.error = err;
  syncResult.output = res;
}

// Loops push child frames; the root frame itself is never written, so one serves every render.
const ROOT_FRAME = new NunjucksFrame();

class GoTemplate implements CompiledTemplate {
  readonly syntax = 'go' as const;
  readonly isStatic = false;
  private readonly root: RootFn;
  private readonly constants: readonly unknown[];
  private readonly slots: number;
  constructor(readonly text: string) {
    try {
      const compiled = compileGoTemplate(text);
      this.constants = compiled.constants;
      this.slots = compiled.slots;
      this.root = compileNunjucksModule(goEnv, compiled.source).root!;
    } catch (err) {
      throw toTemplateError(err, 'parse');
    }
  }
  render(
    variables: Readonly<Record<string, unknown>>,
    options: InternalRenderOptions = {},
  ): string {
    const slots = new Array<unknown>(this.slots);
    slots[0] = variables;
    const state: GoRenderState = {
      __s: slots,
      __k: this.constants,
      __c: defaultCallContext(options),
      __m: options.missingKey ?? 'error',
      __n: MAX_ITERATIONS,
    };
    // Compiled Go templates only name our helpers and their own loop variables, so they run
    // with a minimal context instead of nunjucks' (which copies the variables every render).
    // Rendering is synchronous: the callback runs before root() returns.
    syncResult.error = null;
    syncResult.output = '';
    try {
      this.root(goEnv, { ctx: state }, ROOT_FRAME, goRuntime, receiveResult);
    } catch (err) {
      syncResult.error = err;
    }
    const { error, output } = syncResult;
    if (error !== undefined && error !== null) throw toTemplateError(error, 'execute');
    return output;
  }
}

class NativeTemplate implements CompiledTemplate {
  readonly syntax = 'nunjucks' as const;
  readonly isStatic = false;
  private readonly template: nunjucks.Template;
  constructor(readonly text: string) {
    try {
      this.template = compileNunjucks(nativeEnv, text);
    } catch (err) {
      throw toTemplateError(err, 'parse');
    }
  }
  render(
    variables: Readonly<Record<string, unknown>>,
    options: InternalRenderOptions = {},
  ): string {
    const ctx: Record<string, unknown> = {
      ...variables,
      _vars: variables,
      __c: defaultCallContext(options),
    };
    try {
      return this.template.render(ctx);
    } catch (err) {
      if (
        options.missingKey === 'zero' &&
        err instanceof Error &&
        /undefined variable/.test(err.message)
      )
        return '';
      throw toTemplateError(err, 'execute');
    }
  }
}

const cache = new LruCache<string, CompiledTemplate>(10_000);

/** Whether text contains template syntax at all. */
export function hasTemplateSyntax(text: string, syntax: TemplateSyntax): boolean {
  return syntax === 'go' ? text.includes('{{') : /\{[{%#]/.test(text);
}

/**
 * Compiles a template, or returns the cached compilation of the same (syntax, text). Throws a
 * TemplateError (phase `parse`) when it does not parse.
 */
export function compileTemplate(text: string, syntax: TemplateSyntax = 'go'): CompiledTemplate {
  if (!hasTemplateSyntax(text, syntax)) return new StaticTemplate(syntax, text);
  const key = `${syntax}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const compiled = syntax === 'go' ? new GoTemplate(text) : new NativeTemplate(text);
  cache.set(key, compiled);
  return compiled;
}

/** Renders one template text with the given variables. Throws TemplateError. */
export function renderTemplate(
  text: string,
  variables: Readonly<Record<string, unknown>>,
  options: RenderOptions = {},
): string {
  return compileTemplate(text, options.syntax ?? 'go').render(variables, options);
}

/** Number of compiled templates held by the process-wide cache (for tests and metrics). */
export function compiledTemplateCacheSize(): number {
  return cache.size;
}
