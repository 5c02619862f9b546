import type * as CelModule from '@bufbuild/cel';
import type { CelInput, CelResult } from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';
import { createRequire } from 'node:module';
import { listResources, type FieldIssue, type FormCheck, type LynqForm } from '@lynq/api';
import type { KubeObject } from './kube-object.js';
import { checkReadiness, ReadinessReasons, type ReadinessVerdict } from './readiness.js';

/** A readyWhen expression that does not compile. */
export class ReadyWhenError extends Error {
  override readonly name = 'ReadyWhenError';
  constructor(
    /** Position in the resource's readyWhen list. */
    readonly index: number,
    readonly expression: string,
    readonly detail: string,
  ) {
    super(`invalid readyWhen[${index}] ${JSON.stringify(expression)}: ${detail}`);
  }
}

/** Compiled readyWhen expressions of one resource: compile once per form generation, evaluate per object. */
export interface ReadyWhen {
  readonly expressions: readonly string[];
  /** All expressions must evaluate to true for the object (bound as `self`) to be ready. */
  evaluate(obj: unknown): ReadinessVerdict;
}

export type CompileReadyWhenResult =
  { ok: true; readyWhen: ReadyWhen } | { ok: false; errors: readonly ReadyWhenError[] };

type Program = (ctx: { self: CelInput }) => CelResult;

type CelLib = typeof CelModule;

/**
 * @bufbuild/cel and its environment, loaded on first use: they cost about 6 MB resident, and
 * most operators never see a readyWhen expression. The package ships a CommonJS build beside its
 * ES modules, so loading it stays synchronous (and nothing here imports the ES build: one copy).
 */
let lib: { cel: CelLib; env: ReturnType<CelLib['celEnv']> } | undefined;
function celLib(): NonNullable<typeof lib> {
  if (lib === undefined) {
    const require = createRequire(import.meta.url);
    const cel = require('@bufbuild/cel') as CelLib;
    const ext = require('@bufbuild/cel/ext') as typeof CelExt;
    // The standard library plus the strings extension (as in Kubernetes CEL).
    lib = { cel, env: cel.celEnv({ funcs: ext.strings }) };
  }
  return lib;
}

// Programs by expression text, shared by every form and node; bounded so edits cannot grow it forever.
const cache = new Map<string, Program>();
const CACHE_LIMIT = 2_000;

function compileOne(expression: string, index: number): Program | ReadyWhenError {
  const cached = cache.get(expression);
  if (cached) return cached;
  let loaded;
  try {
    loaded = celLib();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return new ReadyWhenError(index, expression, `CEL could not be loaded: ${detail}`);
  }
  const { cel, env } = loaded;
  let parsed;
  try {
    parsed = cel.parse(expression);
  } catch (err) {
    return new ReadyWhenError(index, expression, err instanceof Error ? err.message : String(err));
  }
  const tooCostly = costProblem(expression, parsed.expr);
  if (tooCostly !== undefined) return new ReadyWhenError(index, expression, tooCostly);
  const unknown = unknownFunctions(parsed.expr, env);
  if (unknown.length > 0)
    return new ReadyWhenError(
      index,
      expression,
      `unknown function${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
    );
  let program: Program;
  try {
    program = cel.plan(env, parsed) as Program;
  } catch (err) {
    return new ReadyWhenError(index, expression, err instanceof Error ? err.message : String(err));
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(expression, program);
  return program;
}

/** Bounds on an expression: it runs in the operator's process, on every readiness check. */
export const READY_WHEN_LIMITS = {
  /** Characters of one expression. */
  maxLength: 1_000,
  /** Nodes of its syntax tree (after macro expansion). */
  maxNodes: 400,
  /** Comprehensions (`all`, `exists`, `map`, `filter`) inside one another. */
  maxComprehensionDepth: 2,
  /** Elements of a list literal. */
  maxListLiteral: 64,
} as const;

/**
 * Why an expression could cost unbounded time, or undefined. CEL here has no evaluation budget,
 * so what a form author writes is bounded by shape: nested comprehensions over object data grow
 * as a power of its size (seven nested `all` over ten-element lists take minutes).
 */
function costProblem(expression: string, expr: unknown): string | undefined {
  const L = READY_WHEN_LIMITS;
  if (expression.length > L.maxLength)
    return `longer than ${L.maxLength} characters (${expression.length})`;
  let nodes = 0;
  let problem: string | undefined;
  const visit = (node: unknown, depth: number): void => {
    if (problem !== undefined) return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, depth);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const kind = (node as { exprKind?: { case?: string; value?: { elements?: unknown[] } } })
      .exprKind;
    let inner = depth;
    if (kind?.case !== undefined) {
      nodes++;
      if (nodes > L.maxNodes) problem = `more than ${L.maxNodes} terms`;
      if (kind.case === 'comprehensionExpr' && ++inner > L.maxComprehensionDepth)
        problem = `comprehensions (all, exists, map, filter) nested more than ${L.maxComprehensionDepth} deep`;
      if (kind.case === 'listExpr' && (kind.value?.elements?.length ?? 0) > L.maxListLiteral)
        problem = `a list literal of more than ${L.maxListLiteral} elements`;
    }
    for (const value of Object.values(node)) visit(value, inner);
  };
  visit(expr, 0);
  return problem;
}

/**
 * Functions the expression calls that the environment lacks. Operators (`_&&_`, `_[_]`, `@in`…)
 * are syntax the planner handles itself, so only named functions are checked; without this a
 * misspelt function would only fail when evaluated.
 */
function unknownFunctions(expr: unknown, env: ReturnType<CelLib['celEnv']>): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const kind = (node as { exprKind?: { case?: string; value?: { function?: unknown } } })
      .exprKind;
    if (kind?.case === 'callExpr') {
      const name = kind.value?.function;
      if (typeof name === 'string' && !/^[_@]/.test(name) && env.funcs.find(name) === undefined)
        found.add(name);
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(expr);
  return [...found];
}

/** Compiles a resource's readyWhen list; reports every expression that does not compile. */
export function compileReadyWhen(expressions: readonly string[]): CompileReadyWhenResult {
  const programs: Program[] = [];
  const errors: ReadyWhenError[] = [];
  expressions.forEach((expression, index) => {
    const compiled = compileOne(expression, index);
    if (compiled instanceof ReadyWhenError) errors.push(compiled);
    else programs.push(compiled);
  });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    readyWhen: {
      expressions,
      evaluate(obj: unknown): ReadinessVerdict {
        const self = toCel(obj);
        for (let i = 0; i < programs.length; i++) {
          const result = (programs[i] as Program)({ self });
          const expression = expressions[i] ?? '';
          if (celLib().cel.isCelError(result))
            return {
              ready: false,
              reason: ReadinessReasons.ReadyWhenError,
              message: `readyWhen[${i}] ${JSON.stringify(expression)} failed: ${result.message}`,
            };
          if (typeof result !== 'boolean')
            return {
              ready: false,
              reason: ReadinessReasons.ReadyWhenError,
              message: `readyWhen[${i}] ${JSON.stringify(expression)} returned ${describe(result)}, expected a bool`,
            };
          if (!result)
            return {
              ready: false,
              reason: ReadinessReasons.ReadyWhenFalse,
              message: `readyWhen[${i}] is false: ${expression}`,
            };
        }
        return {
          ready: true,
          reason: ReadinessReasons.Ready,
          message:
            programs.length === 1
              ? 'the readyWhen expression is true'
              : `all ${programs.length} readyWhen expressions are true`,
        };
      },
    },
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'an int';
  if (typeof value === 'number') return 'a double';
  if (typeof value === 'string') return 'a string';
  return 'a non-bool value';
}

/**
 * Readiness of one resource's live object: its readyWhen expressions when it has any (they replace
 * the built-in rule for its kind), else checkReadiness. Missing and terminating objects are never
 * ready either way.
 */
export function checkResourceReadiness(
  obj: KubeObject | undefined,
  readyWhen?: ReadyWhen,
): ReadinessVerdict {
  if (obj === undefined || obj.metadata?.deletionTimestamp || readyWhen === undefined)
    return checkReadiness(obj);
  return readyWhen.evaluate(obj);
}

/**
 * JSON → CEL input. Whole numbers become CEL ints (bigint) so `self.spec.replicas - 1` and
 * `self.status.readyReplicas >= 2` type-check as they do in Kubernetes CEL; other numbers stay doubles.
 */
function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, CelInput> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCel(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  return null;
}

/**
 * The readyWhen part of LynqForm admission, for `validateForm(form, { checks: [readyWhenCheck] })`:
 * every expression must parse and call only known functions.
 */
export const readyWhenCheck: FormCheck = (form: LynqForm) => {
  const errors: FieldIssue[] = [];
  for (const { path, resource } of listResources(form.spec)) {
    if (!resource.readyWhen?.length) continue;
    const result = compileReadyWhen(resource.readyWhen);
    if (result.ok) continue;
    for (const error of result.errors)
      errors.push({
        path: `${path}.readyWhen[${error.index}]`,
        message: `readyWhen validation failed: invalid readyWhen in resource '${resource.id}': ${error.detail}`,
      });
  }
  return { errors };
};
