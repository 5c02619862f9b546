// Compiles nunjucks-syntax templates to JavaScript, which nunjucks runs with `new Function`.
// Template text is untrusted, so no part of it becomes JavaScript source unless it is escaped by
// construction: nunjucks' compiler pastes names and strings between quotes with at best partial
// escaping (`{% set "x\"),evil(),(\"" = 1 %}` ran `evil()`), so before compiling, every node of
// the parse tree is checked —
//   - names (variables, filters, tests, macros and their arguments, set and loop targets) must be
//     identifiers ([A-Za-z_][A-Za-z0-9_]*), the only text nunjucks pastes unescaped;
//   - strings and numbers are emitted by us, with JSON.stringify;
//   - tags that load other templates or need extensions, and regular expression literals, are
//     refused;
// and the compiler's methods that paste text (literals, symbols, calls, filters, tests) are
// replaced by ours. Operators compile to runtime calls, so every conversion and concatenation is
// counted against the render's budget (see native-runtime.ts).
//
// Nunjucks syntax is also strict: reading an undefined variable is an error. Probing one must
// still work, so `x | default(…)`-style filters and `x is defined` / `x is undefined` get their
// bare variable replaced by `__probe("x")`, which returns undefined instead of failing. Only names
// the template never assigns are rewritten (assigned names live in nunjucks frames, which
// __probe does not see).
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import { PROBE_FUNCTION, isNativeFilter, isNativeTest } from './native-library.js';
import { SandboxViolationError, isForbiddenName } from './sandbox.js';

/** Longest nunjucks template text accepted (its compiled JavaScript is 10–40 times larger). */
export const MAX_NATIVE_TEMPLATE_CHARS = 256 * 1024;
/** Deepest nesting of tags and expressions accepted. */
export const MAX_NATIVE_NESTING = 500;
/** Largest compiled JavaScript, a backstop for constructs nunjucks compiles more than once. */
export const MAX_NATIVE_CODE_CHARS = 16 * 1024 * 1024;

interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  children?: AstNode[];
  [field: string]: unknown;
}

interface NodesModule {
  FunCall: new (l: number, c: number, name: AstNode, args: AstNode) => AstNode;
  Symbol: new (l: number, c: number, value: string) => AstNode;
  Literal: new (l: number, c: number, value: string) => AstNode;
  NodeList: new (l: number, c: number, children: AstNode[]) => AstNode;
}

interface CompilerInternals {
  _emit(code: string): void;
  _compileExpression(node: AstNode, frame: CompileFrame): void;
  _compileAggregate(node: AstNode, frame: CompileFrame, start?: string, end?: string): void;
  compile(node: AstNode, frame: CompileFrame): void;
  compileLiteral(node: AstNode): void;
  getCode(): string;
  [method: string]: unknown;
}

interface CompileFrame {
  lookup(name: string): unknown;
}

const nodes = (nunjucks as unknown as { nodes: NodesModule }).nodes;
const require = createRequire(import.meta.url);
// nunjucks does not re-export its transformer; it is a plain CommonJS module of the package.
const transformer = require('nunjucks/src/transformer.js') as {
  transform(ast: AstNode, asyncFilters: readonly string[], name: string): AstNode;
};
const { Compiler } = (
  nunjucks as unknown as {
    compiler: {
      Compiler: new (name: string, throwOnUndefined: boolean) => CompilerInternals;
    };
  }
).compiler;
const parser = (
  nunjucks as unknown as {
    parser: { parse(src: string, extensions: readonly unknown[], opts: unknown): AstNode };
  }
).parser;

function frozenRecord<T extends object>(fields: T): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null) as T, fields));
}

// The lexer reads its options with plain property reads: give it every one, in objects without a
// prototype, so nothing (not even a polluted Object.prototype) can change the delimiters.
const PARSE_OPTIONS = frozenRecord({
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: false,
  lstripBlocks: false,
  tags: frozenRecord({
    blockStart: '{%',
    blockEnd: '%}',
    variableStart: '{{',
    variableEnd: '}}',
    commentStart: '{#',
    commentEnd: '#}',
  }),
});
const NO_EXTENSIONS: readonly unknown[] = Object.freeze([]);
const NO_ASYNC_FILTERS: readonly string[] = Object.freeze([]);

/** A template the nunjucks syntax refuses; `lineno`/`colno` are 1-based, as nunjucks' own. */
export class NativeTemplateRejected extends SandboxViolationError {
  constructor(
    reason: string,
    readonly lineno?: number,
    readonly colno?: number,
  ) {
    super(reason);
  }
}

function reject(reason: string, node?: { lineno: number; colno: number }): never {
  throw new NativeTemplateRejected(
    reason,
    node ? node.lineno + 1 : undefined,
    node ? node.colno + 1 : undefined,
  );
}

// ---- raw blocks ----

/**
 * Nunjucks finds the end of `{% raw %}` / `{% verbatim %}` with an unanchored regular expression
 * that takes quadratic time when the end is missing (a 40 KB template: 1.5 s). The same search,
 * done here once in linear time, refuses such templates before nunjucks sees them.
 */
function checkRawBlocks(text: string): void {
  for (const tag of ['raw', 'verbatim']) {
    if (!text.includes(tag)) continue;
    // What nunjucks' parseRaw looks for (its own regular expression, without the leading lazy
    // group): each opening counts +1, each end -1.
    const marks: { end: number; delta: number }[] = [];
    for (const m of text.matchAll(new RegExp(`\\{%\\s*(${tag}|end${tag})\\s*%\\}`, 'g')))
      marks.push({ end: m.index + m[0].length, delta: m[1] === tag ? 1 : -1 });
    // minAfter[j]: the lowest running level reached at any mark from j on.
    const level = new Array<number>(marks.length + 1).fill(0);
    for (let j = 0; j < marks.length; j++) level[j + 1] = level[j]! + marks[j]!.delta;
    const minAfter = new Array<number>(marks.length + 1).fill(Infinity);
    for (let j = marks.length - 1; j >= 0; j--)
      minAfter[j] = Math.min(level[j + 1]!, minAfter[j + 1]!);
    // Every place the parser may start a raw block (the tag as its lexer accepts it) needs a
    // later point where the level is one below the level at its start.
    let j = 0;
    for (const m of text.matchAll(new RegExp(`\\{%-?\\s*${tag}\\s*-?%\\}`, 'g'))) {
      const start = m.index + m[0].length;
      while (j < marks.length && marks[j]!.end <= start) j++;
      if (!(minAfter[j]! <= level[j]! - 1)) {
        const before = text.slice(0, m.index);
        const line = before.split('\n').length;
        const column = m.index - before.lastIndexOf('\n');
        throw new NativeTemplateRejected(
          `{% ${tag} %} is not closed by {% end${tag} %}`,
          line,
          column,
        );
      }
    }
  }
}

// ---- tree walks ----

function each(node: unknown, visit: (n: AstNode, depth: number) => void, depth = 0): void {
  if (!node || typeof node !== 'object' || !('typename' in node)) return;
  const n = node as AstNode;
  if (depth > MAX_NATIVE_NESTING)
    reject(`template nests deeper than ${MAX_NATIVE_NESTING} levels`, n);
  visit(n, depth);
  // A NodeList's children are its one field (walking both doubled the work at every level).
  for (const f of n.fields) {
    const v = n[f];
    if (Array.isArray(v)) for (const c of v) each(c, visit, depth + 1);
    else each(v, visit, depth + 1);
  }
}

function assignedNames(ast: AstNode): Set<string> {
  const names = new Set<string>();
  const addSymbols = (v: unknown) =>
    each(v, (n) => {
      if (n.typename === 'Symbol') names.add(n.value as string);
    });
  each(ast, (n) => {
    switch (n.typename) {
      case 'Set':
        addSymbols(n.targets);
        break;
      case 'For':
        addSymbols(n.name);
        break;
      case 'Macro':
      case 'Caller':
        addSymbols(n.args);
        break;
    }
  });
  return names;
}

function probe(symbol: AstNode): AstNode {
  const { lineno: l, colno: c } = symbol;
  return new nodes.FunCall(
    l,
    c,
    new nodes.Symbol(l, c, PROBE_FUNCTION),
    new nodes.NodeList(l, c, [new nodes.Literal(l, c, symbol.value as string)]),
  );
}

const PROBING_FILTERS = new Set(['default', 'd']);
const PROBING_TESTS = new Set(['defined', 'undefined']);

function rewriteProbes(ast: AstNode): void {
  const assigned = assignedNames(ast);
  const probeable = (n: unknown): n is AstNode =>
    !!n && (n as AstNode).typename === 'Symbol' && !assigned.has((n as AstNode).value as string);
  each(ast, (n) => {
    if (n.typename === 'Filter') {
      const name = (n.name as AstNode | null)?.value;
      const args = n.args as AstNode | null;
      const first = args?.children?.[0];
      if (typeof name === 'string' && PROBING_FILTERS.has(name) && probeable(first))
        args!.children![0] = probe(first);
    } else if (n.typename === 'Is') {
      const right = n.right as AstNode | null;
      const test =
        right?.typename === 'Symbol' ? right.value : (right?.name as AstNode | undefined)?.value;
      if (typeof test === 'string' && PROBING_TESTS.has(test) && probeable(n.left))
        n.left = probe(n.left);
    }
  });
}

// ---- what may be compiled ----

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const UNSUPPORTED: Readonly<Record<string, string>> = frozenRecord({
  Include: '{% include %} is not supported: templates cannot load other templates',
  Import: '{% import %} is not supported: templates cannot load other templates',
  FromImport: '{% from … import %} is not supported: templates cannot load other templates',
  Extends: '{% extends %} is not supported: templates cannot load other templates',
  TemplateRef: 'template references are not supported',
  Block: '{% block %} is not supported: there is no template inheritance',
  Super: 'super() is not supported: there is no template inheritance',
  IfAsync: '{% ifAsync %} is not supported: there are no asynchronous filters',
  AsyncEach: '{% asyncEach %} is not supported: use {% for %}',
  AsyncAll: '{% asyncAll %} is not supported: use {% for %}',
  FilterAsync: 'asynchronous filters are not supported',
  CallExtension: 'extension tags are not supported',
  CallExtensionAsync: 'extension tags are not supported',
});

const SUPPORTED = new Set([
  'Root',
  'NodeList',
  'Output',
  'TemplateData',
  'Literal',
  'Symbol',
  'Group',
  'Array',
  'Dict',
  'Pair',
  'KeywordArgs',
  'LookupVal',
  'FunCall',
  'Filter',
  'Is',
  'In',
  'And',
  'Or',
  'Not',
  'Add',
  'Concat',
  'Sub',
  'Mul',
  'Div',
  'FloorDiv',
  'Mod',
  'Pow',
  'Neg',
  'Pos',
  'Compare',
  'CompareOperand',
  'InlineIf',
  'If',
  'Switch',
  'Case',
  'For',
  'Set',
  'Capture',
  'Macro',
  'Caller',
]);

const COMPARE_OPERATORS = new Set(['==', '===', '!=', '!==', '<', '>', '<=', '>=']);

function isNode(v: unknown, typename: string): v is AstNode {
  return !!v && typeof v === 'object' && (v as AstNode).typename === typename;
}

function requireSymbol(v: unknown, what: string, at: AstNode): AstNode {
  if (!isNode(v, 'Symbol')) reject(`${what} must be a name`, (v as AstNode | null) ?? at);
  return v;
}

/** The checks above, on the tree nunjucks' compiler is about to compile. */
function checkTree(ast: AstNode): void {
  each(ast, (n) => {
    if (!SUPPORTED.has(n.typename))
      reject(UNSUPPORTED[n.typename] ?? `${n.typename} is not supported in templates`, n);
    switch (n.typename) {
      case 'Symbol': {
        const name = n.value;
        if (typeof name !== 'string' || !IDENTIFIER.test(name))
          reject(`"${String(name)}" is not a valid name: use letters, digits and _`, n);
        if (name !== 'caller' && isForbiddenName(name))
          reject(`access to "${name}" is not allowed in templates`, n);
        break;
      }
      case 'Literal':
      case 'TemplateData': {
        const v = n.value;
        if (typeof v === 'string') {
          if (n.typename === 'Literal' && isForbiddenName(v))
            reject(`access to "${v}" is not allowed in templates`, n);
        } else if (typeof v === 'number') {
          if (!Number.isFinite(v)) reject('number out of range', n);
        } else if (v instanceof RegExp) {
          reject('regular expression literals are not supported', n);
        } else if (typeof v !== 'boolean' && v !== null) reject('unsupported literal', n);
        break;
      }
      case 'Filter': {
        const name = requireSymbol(n.name, 'a filter', n).value as string;
        if (!isNativeFilter(name)) reject(`unknown filter "${name}"`, n.name as AstNode);
        break;
      }
      case 'Is': {
        const right = n.right as AstNode;
        const symbol = requireSymbol(
          isNode(right, 'FunCall') ? right.name : right,
          'the test after "is"',
          n,
        );
        if (!isNativeTest(symbol.value as string))
          reject(`unknown test "${String(symbol.value)}"`, symbol);
        break;
      }
      case 'Set':
        for (const t of n.targets as unknown[]) requireSymbol(t, 'a {% set %} target', n);
        break;
      case 'For': {
        const name = n.name as AstNode;
        if (isNode(name, 'Array'))
          for (const c of name.children ?? []) requireSymbol(c, 'a loop variable', n);
        else requireSymbol(name, 'a loop variable', n);
        break;
      }
      case 'Macro':
      case 'Caller': {
        requireSymbol(n.name, 'a macro name', n);
        const args = (n.args as AstNode).children ?? [];
        args.forEach((arg, i) => {
          if (i === args.length - 1 && (isNode(arg, 'Dict') || isNode(arg, 'KeywordArgs')))
            for (const pair of arg.children ?? [])
              requireSymbol(pair.key, 'a macro argument', pair);
          else requireSymbol(arg, 'a macro argument', n);
        });
        break;
      }
      case 'Pair': {
        const key = n.key;
        if (!isNode(key, 'Symbol') && !(isNode(key, 'Literal') && typeof key.value === 'string'))
          reject('a key must be a name or a string', n);
        break;
      }
      case 'CompareOperand':
        if (!COMPARE_OPERATORS.has(n.type as string)) reject('unknown comparison', n);
        break;
    }
  });
}

// ---- the compiler ----

/** A compiler identifier (tmp ids, `l_` arguments): checked, never user text. */
function identifier(id: unknown): string {
  if (typeof id !== 'string' || !IDENTIFIER.test(id))
    throw new SandboxViolationError('internal error: unexpected compiler identifier');
  return id;
}

function position(node: AstNode): string {
  if (!Number.isInteger(node.lineno) || !Number.isInteger(node.colno))
    throw new SandboxViolationError('internal error: unexpected node position');
  return `lineno = ${node.lineno}, colno = ${node.colno}`;
}

/** How a call's callee is named in "Unable to call …" errors. */
function calleeName(node: AstNode): string {
  switch (node.typename) {
    case 'Symbol':
      return node.value as string;
    case 'LookupVal': {
      const key = node.val as AstNode;
      return `${calleeName(node.target as AstNode)}[${key.typename === 'Literal' ? JSON.stringify(key.value) : '…'}]`;
    }
    case 'FunCall':
      return `the return value of (${calleeName(node.name as AstNode)})`;
    case 'Literal':
      return JSON.stringify(node.value);
    default:
      return '--expression--';
  }
}

type Method = (this: CompilerInternals, node: AstNode, frame: CompileFrame) => void;

const BINARY: Readonly<Record<string, string>> = frozenRecord({
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  FloorDiv: '//',
  Pow: '**',
});

/** Our versions of the compiler's methods that paste template text or compile operators. */
const methods: Record<string, Method> = {
  compileLiteral(node) {
    const v = node.value;
    let code: string;
    if (typeof v === 'string') code = JSON.stringify(v);
    else if (typeof v === 'number' && Number.isFinite(v)) code = `(${String(v)})`;
    else if (typeof v === 'boolean') code = v ? 'true' : 'false';
    else if (v === null) code = 'null';
    else throw new SandboxViolationError('internal error: unexpected literal');
    // Template text is written to the output: count it.
    this._emit(node.typename === 'TemplateData' ? `runtime.out(${code})` : code);
  },
  compileSymbol(node, frame) {
    const name = node.value as string;
    const id = frame.lookup(name);
    if (id) this._emit(identifier(id));
    else this._emit(`runtime.contextOrFrameLookup(context, frame, ${JSON.stringify(name)})`);
  },
  compileFunCall(node, frame) {
    this._emit(`(${position(node)}, runtime.callWrap(`);
    this._compileExpression(node.name as AstNode, frame);
    this._emit(`, ${JSON.stringify(calleeName(node.name as AstNode).slice(0, 200))}, context, `);
    this._compileAggregate(node.args as AstNode, frame, '[', '])');
    this._emit(')');
  },
  compileFilter(node, frame) {
    this._emit(`env.getFilter(${JSON.stringify((node.name as AstNode).value)}).call(context, `);
    this._compileAggregate(node.args as AstNode, frame);
    this._emit(')');
  },
  compileIs(node, frame) {
    const right = node.right as AstNode;
    const test = (right.typename === 'FunCall' ? (right.name as AstNode) : right).value;
    this._emit(`env.getTest(${JSON.stringify(test)}).call(context, `);
    this.compile(node.left as AstNode, frame);
    if (right.args) {
      this._emit(',');
      this.compile(right.args as AstNode, frame);
    }
    this._emit(') === true');
  },
  compileAdd(node, frame) {
    binary(this, 'runtime.add(', node, frame);
  },
  compileConcat(node, frame) {
    binary(this, 'runtime.concat(', node, frame);
  },
  ...Object.fromEntries(
    Object.entries(BINARY).map(([type, op]): [string, Method] => [
      `compile${type}`,
      function (node, frame) {
        binary(this, `runtime.arith(${JSON.stringify(op)}, `, node, frame);
      },
    ]),
  ),
  compileNeg(node, frame) {
    unary(this, 'runtime.neg(', node, frame);
  },
  compilePos(node, frame) {
    unary(this, 'runtime.pos(', node, frame);
  },
  compileCompare(node, frame) {
    // `a < b < c` is (a < b) < c, as nunjucks compiles it to JavaScript.
    const ops = node.ops as AstNode[];
    for (let i = ops.length - 1; i >= 0; i--)
      this._emit(`runtime.compare(${JSON.stringify(ops[i]!.type)}, `);
    this.compile(node.expr as AstNode, frame);
    for (const op of ops) {
      this._emit(', ');
      this.compile(op.expr as AstNode, frame);
      this._emit(')');
    }
  },
};
const METHODS: Readonly<Record<string, Method>> = Object.freeze(methods);

function binary(c: CompilerInternals, open: string, node: AstNode, frame: CompileFrame): void {
  c._emit(open);
  c.compile(node.left as AstNode, frame);
  c._emit(', ');
  c.compile(node.right as AstNode, frame);
  c._emit(')');
}

function unary(c: CompilerInternals, open: string, node: AstNode, frame: CompileFrame): void {
  c._emit(open);
  c.compile(node.target as AstNode, frame);
  c._emit(')');
}

function hardenedCompiler(): CompilerInternals {
  const compiler = new Compiler('template', true);
  for (const [name, method] of Object.entries(METHODS)) compiler[name] = method;
  // Nunjucks records the template position only before function calls; errors in a variable
  // lookup, a member lookup or a filter would report line 0. Record it before those too.
  for (const name of ['compileSymbol', 'compileLookupVal', 'compileFilter']) {
    const original = compiler[name] as Method;
    compiler[name] = function (this: CompilerInternals, node: AstNode, frame: CompileFrame) {
      this._emit(`(${position(node)}, `);
      original.call(this, node, frame);
      this._emit(')');
    };
  }
  let size = 0;
  const emit = compiler._emit.bind(compiler);
  compiler._emit = (code: string) => {
    size += code.length;
    if (size > MAX_NATIVE_CODE_CHARS)
      reject(
        `template compiles to more than ${MAX_NATIVE_CODE_CHARS} characters of code; ` +
          'simplify it (for example, fewer nested loops over key, value pairs)',
      );
    emit(code);
  };
  return compiler;
}

/**
 * Checks and compiles a nunjucks template to JavaScript source whose root function runs with
 * our runtime. Throws NativeTemplateRejected, or nunjucks' own error for a syntax error.
 */
export function compileNativeSource(text: string): string {
  if (text.length > MAX_NATIVE_TEMPLATE_CHARS)
    reject(
      `template is ${text.length} characters long; nunjucks templates are limited to ${MAX_NATIVE_TEMPLATE_CHARS}`,
    );
  checkRawBlocks(text);
  try {
    const ast = parser.parse(text, NO_EXTENSIONS, PARSE_OPTIONS);
    rewriteProbes(ast);
    const tree = transformer.transform(ast, NO_ASYNC_FILTERS, 'template');
    checkTree(tree);
    const compiler = hardenedCompiler();
    compiler.compile(tree, undefined as unknown as CompileFrame);
    return compiler.getCode();
  } catch (err) {
    // Parsing and compiling recurse with the nesting: a deep enough template overflows the stack.
    if (err instanceof RangeError)
      reject(`template nests too deeply (more than ${MAX_NATIVE_NESTING} levels)`);
    // Nunjucks' parser crashes on some malformed tags (`{% call x %}` without parentheses).
    if (err instanceof TypeError) reject(`the template does not parse: ${err.message}`);
    throw err;
  }
}
