// The template engine. The `go` syntax is parsed and interpreted from its parse tree (no template
// text ever becomes JavaScript); the `nunjucks` syntax is off unless the caller opts in, and then
// runs through a checked compile and our own runtime. Both count every render against a budget;
// compilations are cached per (syntax, text), bounded in entries and bytes.
import {
  DEFAULT_RENDER_LIMITS,
  RenderBudget,
  RenderBudgetError,
  type RenderLimits,
} from './budget.js';
import { createCallContext, ownOption } from './functions/context.js';
import { TemplateFailure } from './functions/defaults.js';
import { FunctionError, type CallContext } from './functions/types.js';
import { compileGoTemplate, type GoProgram } from './go/compile.js';
import { executeGo } from './go/exec.js';
import { GoTemplateSyntaxError } from './go/parser.js';
import { GoExecError } from './go/runtime.js';
import { LruCache } from './lru.js';
import { compileNative, type NativeProgram } from './native-program.js';
import { SandboxViolationError, UndefinedVariableError } from './sandbox.js';

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
  /**
   * Accept the `nunjucks` syntax (default: refused with a parse error). Nunjucks is no sandbox
   * for untrusted templates, as its own documentation says: enable it only where renders run
   * isolated from credentials (the operator's `--enable-nunjucks-templates`).
   */
  allowNunjucks?: boolean;
}

/** Options of compileTemplate. */
export interface CompileOptions {
  /** Accept the `nunjucks` syntax (see RenderOptions.allowNunjucks). */
  allowNunjucks?: boolean;
}

/** Why a nunjucks-syntax template is refused when the syntax is not enabled. */
export const NUNJUCKS_DISABLED =
  'the nunjucks template syntax is disabled, as nunjucks is no sandbox for untrusted templates: ' +
  'write the template in the go syntax, or enable nunjucks with the allowNunjucks option ' +
  '(operator: --enable-nunjucks-templates, which renders in an isolated process)';

/** Whether options enable the nunjucks syntax: only an own `allowNunjucks: true` does. */
export function nunjucksAllowed(options: CompileOptions | undefined): boolean {
  return ownOption(options, 'allowNunjucks') === true;
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
      e instanceof FunctionError ||
      e instanceof RenderBudgetError
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

/** Whether an error is (or was caused by) reading a variable that does not exist. */
function isUndefinedVariable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof UndefinedVariableError) return true;
  return false;
}

/** A nunjucks-syntax template: checked, compiled once, run with our runtime (native-*.ts). */
class NativeTemplate implements CompiledTemplate {
  readonly syntax = 'nunjucks' as const;
  readonly isStatic = false;
  readonly estimatedBytes: number;
  private readonly program: NativeProgram;
  constructor(readonly text: string) {
    try {
      this.program = compileNative(text);
    } catch (err) {
      throw toTemplateError(err, 'parse');
    }
    this.estimatedBytes = this.program.estimatedBytes;
  }
  render(
    variables: Readonly<Record<string, unknown>>,
    options: InternalRenderOptions = {},
  ): string {
    const ctx = defaultCallContext(options);
    try {
      return this.program.render(variables, ctx);
    } catch (err) {
      if (ownOption(options, 'missingKey') === 'zero' && isUndefinedVariable(err)) return '';
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
 * TemplateError (phase `parse`) when it does not parse, or when it is in the nunjucks syntax and
 * `options.allowNunjucks` is not true.
 */
export function compileTemplate(
  text: string,
  syntax: TemplateSyntax = 'go',
  options: CompileOptions = {},
): CompiledTemplate {
  if (syntax === 'nunjucks' && !nunjucksAllowed(options))
    throw new TemplateError('parse', NUNJUCKS_DISABLED);
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
  return compileTemplate(text, ownOption(options, 'syntax') ?? 'go', options).render(
    variables,
    options,
  );
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
