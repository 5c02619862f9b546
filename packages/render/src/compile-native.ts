// Nunjucks syntax is strict: reading an undefined variable is an error. Probing one must still
// work, so before compiling, `x | default(…)`, `default(…, x)`-style filters and
// `x is defined` / `x is undefined` get their bare variable replaced by `__probe("x")`, which
// returns undefined instead of failing. Only names the template never assigns are rewritten
// (assigned names live in nunjucks frames, which __probe does not see).
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import { SandboxViolationError, isForbiddenName } from './sandbox.js';

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

const nodes = (nunjucks as unknown as { nodes: NodesModule }).nodes;
const require = createRequire(import.meta.url);
// nunjucks does not re-export its transformer; it is a plain CommonJS module of the package.
const transformer = require('nunjucks/src/transformer.js') as {
  transform(ast: AstNode, asyncFilters: unknown, name: string): AstNode;
};
const { Compiler } = (
  nunjucks as unknown as {
    compiler: {
      Compiler: new (
        name: string,
        throwOnUndefined: boolean,
      ) => { compile(ast: AstNode): void; getCode(): string };
    };
  }
).compiler;
const parser = (
  nunjucks as unknown as {
    parser: { parse(src: string, extensions: unknown, opts: unknown): AstNode };
  }
).parser;

export const PROBE_FUNCTION = '__probe';

const PROBING_FILTERS = new Set(['default', 'd']);
const PROBING_TESTS = new Set(['defined', 'undefined']);

function each(node: unknown, visit: (n: AstNode) => void): void {
  if (!node || typeof node !== 'object' || !('typename' in node)) return;
  const n = node as AstNode;
  visit(n);
  if (n.typename === 'NodeList' || Array.isArray(n.children))
    for (const c of n.children ?? []) each(c, visit);
  for (const f of n.fields) {
    const v = n[f];
    if (Array.isArray(v)) for (const c of v) each(c, visit);
    else each(v, visit);
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
      case 'AsyncEach':
      case 'AsyncAll':
        addSymbols(n.name);
        break;
      case 'Macro':
      case 'Caller':
        addSymbols(n.args);
        break;
      case 'Import':
        addSymbols(n.target);
        break;
      case 'FromImport':
        addSymbols(n.names);
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

interface CompilerInternals {
  _emit(code: string): void;
  [method: string]: unknown;
}

/**
 * Nunjucks records the template position only before function calls; errors in a variable
 * lookup, a member lookup or a filter would report line 0. Record it before those too.
 */
function trackPositions(compiler: CompilerInternals): void {
  for (const method of ['compileSymbol', 'compileLookupVal', 'compileFilter']) {
    const original = compiler[method] as (node: AstNode, frame: unknown) => void;
    compiler[method] = function (this: CompilerInternals, node: AstNode, frame: unknown) {
      this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
      original.call(this, node, frame);
      this._emit(')');
    };
  }
}

/** Compiles a nunjucks template to JavaScript source, with variable probes rewritten. */
export function compileNativeSource(
  text: string,
  env: { asyncFilters: unknown; extensionsList: unknown; opts: unknown },
): string {
  const ast = parser.parse(text, env.extensionsList, env.opts);
  // Names that lead to prototypes are refused before the template ever runs (the runtime
  // refuses them too, but `{% set __proto__ = … %}` writes without a lookup).
  each(ast, (n) => {
    const name = n.typename === 'Symbol' || n.typename === 'Literal' ? n.value : undefined;
    if (isForbiddenName(name))
      throw new SandboxViolationError(
        `access to "${String(name)}" is not allowed in templates (line ${n.lineno + 1}, column ${n.colno + 1})`,
      );
  });
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
  const compiler = new Compiler('template', true);
  trackPositions(compiler as unknown as CompilerInternals);
  compiler.compile(transformer.transform(ast, env.asyncFilters, 'template'));
  return compiler.getCode();
}
