// The interpreter of the Go template dialect: walks the tree compile.ts resolved, with Go's
// semantics (missingkey=error, Go truthiness, lazy and/or, typed function arguments, Go's
// printing, `$x = …` assigning outer variables, maps ranged in key order). A template never
// becomes JavaScript source, and it can reach nothing but its data and the function library.
//
// Every range iteration and function call is a step of the render's budget, and output is
// counted. A template that can change maps (set, unset, merge) gets its own copy of the data, in
// maps without prototypes, so what one render does to its data is never seen by another.
import { RenderBudgetError, type RenderBudget } from '../budget.js';
import { callFunction } from '../functions/library.js';
import { meter } from '../functions/limits.js';
import type { CallContext } from '../functions/types.js';
import type { Expr, GoProgram, Node } from './compile.js';
import { describeValue, formatValue } from './fmt.js';
import type { Pos } from './parser.js';
import { GoExecError } from './runtime.js';
import { GoTime, Int64, isGoMap, newMap, numberOf, truth, typeName, type GoMap } from './values.js';

interface State {
  readonly slots: unknown[];
  readonly ctx: CallContext;
  readonly budget: RenderBudget;
  /** missingkey=zero (admission renders with sample variables): a missing key reads as "". */
  readonly missingZero: boolean;
  out: string;
}

/** Strings this long or longer count one step per KiB when functions take or make them. */
const BIG_STRING = 1024;

/** Runs a resolved template over `data`. Throws GoExecError. */
export function executeGo(
  program: GoProgram,
  data: unknown,
  ctx: CallContext,
  missingZero: boolean,
): string {
  const slots = new Array<unknown>(program.slots);
  // Reading never needs a copy: every read is of own properties only.
  try {
    slots[0] = program.mutates ? importData(data, ctx.budget.limits.maxDepth, 0) : data;
  } catch (err) {
    throw wrap(err, undefined, '');
  }
  const st: State = { slots, ctx, budget: ctx.budget, missingZero, out: '' };
  runNodes(st, program.nodes);
  return st.out;
}

/**
 * The template's own copy of its data: maps without prototypes, new arrays. Functions that
 * change maps (set, unset, merge) change this copy, never the caller's objects.
 */
function importData(v: unknown, maxDepth: number, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth >= maxDepth)
    throw new RenderBudgetError(
      'depth',
      maxDepth,
      `template data nests deeper than ${maxDepth} levels (limits.maxDepth)`,
    );
  if (Array.isArray(v)) return v.map((x) => importData(x, maxDepth, depth + 1));
  if (!isGoMap(v)) return v;
  const m = newMap();
  for (const k of Object.keys(v)) m[k] = importData((v as GoMap)[k], maxDepth, depth + 1);
  return m;
}

/** A budget or function error at a place in the template. */
function wrap(err: unknown, pos: Pos | undefined, prefix: string): GoExecError {
  if (err instanceof GoExecError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GoExecError(prefix + message, pos?.line, pos?.column, { cause: err });
}

function fail(pos: Pos, reason: string): never {
  throw new GoExecError(reason, pos.line, pos.column);
}

function emit(st: State, s: string, pos: Pos | undefined): void {
  if (s.length === 0) return;
  try {
    st.budget.output(s.length);
  } catch (err) {
    throw wrap(err, pos, '');
  }
  st.out += s;
}

function runNodes(st: State, nodes: readonly Node[]): void {
  for (let i = 0; i < nodes.length; i++) runNode(st, nodes[i]!);
}

function runNode(st: State, n: Node): void {
  switch (n.op) {
    case 'text':
      emit(st, n.text, undefined);
      return;
    case 'print': {
      const v = evalExpr(st, n.expr);
      emit(st, printed(st, v, n.pos), n.pos);
      return;
    }
    case 'set':
      st.slots[n.slot] = evalExpr(st, n.expr);
      return;
    case 'if': {
      const v = evalExpr(st, n.expr);
      if (n.slot >= 0) st.slots[n.slot] = v;
      if (truth(v)) runNodes(st, n.body);
      else if (n.elseBody) runNodes(st, n.elseBody);
      return;
    }
    case 'with': {
      const v = evalExpr(st, n.expr);
      st.slots[n.slot] = v;
      if (truth(v)) runNodes(st, n.body);
      else if (n.elseBody) runNodes(st, n.elseBody);
      return;
    }
    case 'range':
      runRange(st, n);
      return;
  }
}

/** What {{ pipeline }} prints: Go's %v, and "<no value>" for nil. */
function printed(st: State, v: unknown, pos: Pos): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<no value>';
  try {
    return formatValue(v, meter(st.ctx, 'print'));
  } catch (err) {
    throw wrap(err, pos, '');
  }
}

type RangeNode = Extract<Node, { op: 'range' }>;

function iteration(st: State, n: RangeNode, key: unknown, value: unknown): void {
  try {
    st.budget.step(1, 'range iterations');
  } catch (err) {
    throw wrap(err, n.pos, '');
  }
  const s = st.slots;
  s[n.dotSlot] = value;
  if (n.keySlot >= 0) s[n.keySlot] = key;
  if (n.valueSlot >= 0) s[n.valueSlot] = value;
  runNodes(st, n.body);
}

function runRange(st: State, n: RangeNode): void {
  const v = evalExpr(st, n.expr);
  let count = 0;
  if (v === null || v === undefined) {
    // nil ranges as empty
  } else if (Array.isArray(v)) {
    count = v.length;
    for (let i = 0; i < count; i++) iteration(st, n, i, v[i]);
  } else if (isGoMap(v)) {
    // Go sorts the keys and takes the values up front (fmtsort): changes made by the body do
    // not show in later iterations.
    const keys = Object.keys(v).sort();
    const values = keys.map((k) => v[k]);
    count = keys.length;
    for (let i = 0; i < count; i++) iteration(st, n, keys[i], values[i]);
  } else if (typeof v === 'number' || v instanceof Int64) {
    const times = numberOf(v)!;
    if (n.decls > 1)
      fail(n.pos, `can't use ${formatValue(v)} to iterate over more than one variable`);
    const max = st.budget.limits.maxSteps;
    if (times > max)
      throw wrap(
        new RenderBudgetError(
          'steps',
          max,
          `range over ${times} would take more than the ${max} steps a template may take ` +
            `(at most ${max} range iterations and function calls, limits.maxSteps)`,
        ),
        n.pos,
        '',
      );
    count = Math.max(0, times);
    for (let i = 0; i < count; i++) iteration(st, n, i, i);
  } else {
    fail(n.pos, `range can't iterate over ${describeValue(v)}`);
  }
  if (count === 0 && n.elseBody) runNodes(st, n.elseBody);
}

function field(st: State, pos: Pos, obj: unknown, name: string): unknown {
  if (isGoMap(obj)) {
    if (Object.hasOwn(obj, name)) return obj[name];
    if (st.missingZero) return '';
    return fail(pos, `map has no entry for key "${name}"`);
  }
  if (obj === null || obj === undefined)
    return fail(pos, `nil pointer evaluating interface {}.${name}`);
  if (obj instanceof GoTime)
    return fail(pos, `time.Time methods (.${name}) are not supported by Lynq templates`);
  return fail(pos, `can't evaluate field ${name} in type ${typeName(obj)}`);
}

function fields(st: State, pos: Pos, v: unknown, names: readonly string[]): unknown {
  for (let i = 0; i < names.length; i++) v = field(st, pos, v, names[i]!);
  return v;
}

function evalExpr(st: State, e: Expr): unknown {
  switch (e.op) {
    case 'const':
      return e.value;
    case 'slot':
      return st.slots[e.slot];
    case 'fields':
      return fields(st, e.pos, st.slots[e.slot], e.names);
    case 'chain':
      return fields(st, e.pos, evalExpr(st, e.base), e.names);
    case 'pipeline': {
      // Go evaluates each command, then passes its value to the next one.
      let v = evalExpr(st, e.commands[0]!);
      for (let i = 1; i < e.commands.length; i++) v = evalCommand(st, e.commands[i]!, v);
      return v;
    }
    default:
      return evalCommand(st, e, undefined);
  }
}

/** A command, with the value piped into it (when its `piped` says it takes one). */
function evalCommand(st: State, e: Expr, piped: unknown): unknown {
  switch (e.op) {
    case 'call': {
      const n = e.args.length;
      const args = new Array<unknown>(e.piped ? n + 1 : n);
      for (let i = 0; i < n; i++) args[i] = evalExpr(st, e.args[i]!);
      if (e.piped) args[n] = piped;
      return call(st, e, args);
    }
    case 'and':
    case 'or': {
      try {
        st.budget.step();
      } catch (err) {
        throw wrap(err, e.pos, `error calling ${e.op}: `);
      }
      // The arguments first, then the piped value, which decides when none of them did.
      let v: unknown;
      for (let i = 0; i < e.args.length; i++) {
        v = evalExpr(st, e.args[i]!);
        if (truth(v) === (e.op === 'or')) return v;
      }
      return e.piped ? piped : v;
    }
    case 'fail':
      return fail(e.pos, e.reason);
    default:
      return evalExpr(st, e);
  }
}

/** Work a call does on big strings, in steps of a KiB, so long strings cannot hide work. */
function stringWork(args: unknown[]): number {
  let work = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string' && a.length >= BIG_STRING) work += a.length >>> 10;
  }
  return work;
}

function call(st: State, e: Extract<Expr, { op: 'call' }>, args: unknown[]): unknown {
  try {
    st.budget.step(1 + stringWork(args), 'range iterations and function calls');
    const r = callFunction(st.ctx, e.name, e.fn, args);
    if (typeof r === 'string' && r.length >= BIG_STRING)
      st.budget.step(r.length >>> 10, 'range iterations and function calls');
    return r;
  } catch (err) {
    // Whatever a function throws (its error, a budget, a bug) fails the call at its position.
    throw wrap(err, e.pos, `error calling ${e.name}: `);
  }
}
