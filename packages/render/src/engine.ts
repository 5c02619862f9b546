// The template engine: both syntaxes compiled to nunjucks, rendered with the sandboxed runtime,
// compiled once per (syntax, text) and cached.
import nunjucks from 'nunjucks';
import { FUNCTIONS, callFunction } from './functions/library.js';
import { DEFAULT_RENDER_LIMITS, RenderBudget, type RenderLimits } from './budget.js';
import { createCallContext, ownOption } from './functions/context.js';
import { TemplateFailure } from './functions/defaults.js';
import { FunctionError, type CallContext } from './functions/types.js';
import { compileGoTemplate, type GoProgram } from './go/compile.js';
import { executeGo } from './go/exec.js';
import { GoTemplateSyntaxError } from './go/parser.js';
import { GoExecError } from './go/runtime.js';
import { Float64 } from './go/values.js';
import { LruCache } from './lru.js';
import { PROBE_FUNCTION, compileNativeSource } from './compile-native.js';
import {
  SandboxViolationError,
  UndefinedVariableError,
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
  /** Limits of one render (steps, nesting, output, value sizes, time); see DEFAULT_RENDER_LIMITS. */
  limits?: Partial<RenderLimits>;
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
  /** Approximate memory the compilation holds, in bytes (the compile cache is bounded by it). */
  readonly estimatedBytes?: number;
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

const nativeEnv = makeEnvironment();

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

/** The budget of one render, from the caller's own `limits` option. */
function renderBudget(options: RenderOptions): RenderBudget {
  return new RenderBudget(ownOption(options, 'limits') ?? DEFAULT_RENDER_LIMITS);
}

/** The CallContext of one render: created per render, from own options only. */
function defaultCallContext(
  options: RenderOptions,
  budget: RenderBudget = renderBudget(options),
): CallContext {
  return createCallContext(options, budget);
}

function toTemplateError(err: unknown, phase: 'parse' | 'execute'): TemplateError {
  // nunjucks wraps what our helpers throw; the cause chain holds the original.
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof TemplateError) return e;
    if (e instanceof GoExecError) {
      const failure = e.cause instanceof TemplateFailure;
      return new TemplateError('execute', e.reason, e.line, e.column, failure, {
        cause: e.cause ?? err,
      });
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

/** Bytes a compiled Go template holds: its text (kept twice, in the tree and the cache key) and its tree. */
function goTemplateBytes(text: string, program: GoProgram): number {
  return 256 + 4 * text.length + 96 * program.size;
}

/** A Go template, parsed once and interpreted for every render (see go/exec.ts). */
class GoTemplate implements CompiledTemplate {
  readonly syntax = 'go' as const;
  readonly isStatic = false;
  readonly estimatedBytes: number;
  private readonly program: GoProgram;
  constructor(readonly text: string) {
    try {
      this.program = compileGoTemplate(text);
    } catch (err) {
      throw toTemplateError(err, 'parse');
    }
    this.estimatedBytes = goTemplateBytes(text, this.program);
  }
  render(
    variables: Readonly<Record<string, unknown>>,
    options: InternalRenderOptions = {},
  ): string {
    const ctx = defaultCallContext(options);
    try {
      return executeGo(this.program, variables, ctx, ownOption(options, 'missingKey') === 'zero');
    } catch (err) {
      throw toTemplateError(err, 'execute');
    }
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

/** The compile cache's bounds: entries, and the estimated bytes of all compilations together. */
export const COMPILE_CACHE_MAX_ENTRIES = 10_000;
export const COMPILE_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Longest template text compiled (characters); a longer one is refused with a parse error. */
export const MAX_TEMPLATE_CHARS = 256 * 1024;

const cache = new LruCache<string, CompiledTemplate>(
  COMPILE_CACHE_MAX_ENTRIES,
  COMPILE_CACHE_MAX_BYTES,
);

/** Estimated bytes of a compilation without its own estimate: its text, many times over. */
function estimatedBytes(compiled: CompiledTemplate): number {
  return compiled.estimatedBytes ?? 1024 + 64 * compiled.text.length;
}

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
  if (text.length > MAX_TEMPLATE_CHARS)
    throw new TemplateError(
      'parse',
      `template is ${text.length} characters long; templates are limited to ${MAX_TEMPLATE_CHARS}`,
    );
  const key = `${syntax}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const compiled = syntax === 'go' ? new GoTemplate(text) : new NativeTemplate(text);
  cache.set(key, compiled, estimatedBytes(compiled));
  return compiled;
}

/** Renders one template text with the given variables. Throws TemplateError. */
export function renderTemplate(
  text: string,
  variables: Readonly<Record<string, unknown>>,
  options: RenderOptions = {},
): string {
  return compileTemplate(text, ownOption(options, 'syntax') ?? 'go').render(variables, options);
}

/** Number of compiled templates held by the process-wide cache (for tests and metrics). */
export function compiledTemplateCacheSize(): number {
  return cache.size;
}

/** What the process-wide compile cache holds: entries and their estimated bytes, and its bounds. */
export interface CompileCacheStats {
  entries: number;
  estimatedBytes: number;
  maxEntries: number;
  maxBytes: number;
}

export function compiledTemplateCacheStats(): CompileCacheStats {
  return {
    entries: cache.size,
    estimatedBytes: cache.weight,
    maxEntries: COMPILE_CACHE_MAX_ENTRIES,
    maxBytes: COMPILE_CACHE_MAX_BYTES,
  };
}
