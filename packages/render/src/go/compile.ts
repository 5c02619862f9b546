// Resolves a parsed Go template into the tree exec.ts interprets: variables become numbered
// slots (Go's `$x = …` inside a range assigns the outer variable), function names become the
// library's frozen function objects, and number constants get the type of the parameter they
// are passed to. Nothing here produces JavaScript source: the result is plain data.
import { FUNCTIONS, LAZY_FUNCTIONS, MUTATING_FUNCTIONS } from '../functions/library.js';
import type { GoFunction } from '../functions/types.js';
import { Float64 } from './values.js';
import { unsupportedVerbs } from './fmt.js';
import {
  GoTemplateSyntaxError,
  parseGoTemplate,
  type Arg,
  type Command,
  type Pipeline,
  type Pos,
  type TemplateNode,
} from './parser.js';

export type Expr =
  | { readonly op: 'const'; readonly value: unknown }
  | { readonly op: 'slot'; readonly slot: number }
  /** A field chain read from a slot: `.a.b` on dot, `$x.a`. */
  | {
      readonly op: 'fields';
      readonly pos: Pos;
      readonly slot: number;
      readonly names: readonly string[];
    }
  /** A field chain read from a parenthesised pipeline: `(f x).a`. */
  | {
      readonly op: 'chain';
      readonly pos: Pos;
      readonly base: Expr;
      readonly names: readonly string[];
    }
  | {
      readonly op: 'call';
      readonly pos: Pos;
      readonly name: string;
      readonly fn: GoFunction;
      readonly args: readonly Expr[];
      /** Whether the previous command's value is passed as the last argument. */
      readonly piped: boolean;
    }
  | {
      readonly op: 'and' | 'or';
      readonly pos: Pos;
      readonly args: readonly Expr[];
      readonly piped: boolean;
    }
  /** A command Go rejects when it runs. */
  | { readonly op: 'fail'; readonly pos: Pos; readonly reason: string }
  /**
   * `a | f x | g`: the commands, each after the first given the previous one's value. A list,
   * not nested expressions, so a long pipeline does not nest the interpreter's calls.
   */
  | { readonly op: 'pipeline'; readonly commands: readonly Expr[] };

export type Node =
  | { readonly op: 'text'; readonly text: string }
  | { readonly op: 'print'; readonly pos: Pos; readonly expr: Expr }
  | { readonly op: 'set'; readonly pos: Pos; readonly slot: number; readonly expr: Expr }
  | {
      readonly op: 'if';
      readonly pos: Pos;
      readonly expr: Expr;
      /** The slot of `{{ if $x := … }}`, or -1. */
      readonly slot: number;
      readonly body: readonly Node[];
      readonly elseBody?: readonly Node[];
    }
  | {
      readonly op: 'with';
      readonly pos: Pos;
      readonly expr: Expr;
      /** Dot inside the body (and the declared variable, if any). */
      readonly slot: number;
      readonly body: readonly Node[];
      readonly elseBody?: readonly Node[];
    }
  | {
      readonly op: 'range';
      readonly pos: Pos;
      readonly expr: Expr;
      /** How many variables the range declares or assigns (0, 1 or 2). */
      readonly decls: number;
      readonly keySlot: number;
      readonly valueSlot: number;
      readonly dotSlot: number;
      readonly body: readonly Node[];
      readonly elseBody?: readonly Node[];
    };

export interface GoProgram {
  readonly nodes: readonly Node[];
  /** Variable slots a render needs (slot 0 is the data, `$`). */
  readonly slots: number;
  /** Nodes and expressions in the tree, for estimating its memory. */
  readonly size: number;
  /**
   * Whether the template calls a function that changes maps (set, unset, merge): only then does
   * a render need its own copy of the data, so that the caller's objects never change.
   */
  readonly mutates: boolean;
}

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/** How many Go templates this process has parsed (tests check that renders never re-parse). */
export let goParseCount = 0;

/** Parses and resolves a Go template. Throws GoTemplateSyntaxError. */
export function compileGoTemplate(text: string): GoProgram {
  goParseCount++;
  const ast = parseGoTemplate(text, FUNCTION_NAMES);
  return new Resolver().program(ast);
}

class Resolver {
  private slots = 1;
  private size = 0;
  private mutates = false;
  private readonly scopes: Map<string, number>[] = [new Map([['$', 0]])];
  private dot = 0;

  program(ast: TemplateNode[]): GoProgram {
    const nodes = this.nodes(ast);
    return Object.freeze({ nodes, slots: this.slots, size: this.size, mutates: this.mutates });
  }

  private lookupVar(name: string): number {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i]!.get(name);
      if (s !== undefined) return s;
    }
    // The parser already rejected undefined variables.
    throw new Error(`internal: variable ${name} has no slot`);
  }

  private declare(name: string): number {
    const slot = this.slots++;
    this.scopes[this.scopes.length - 1]!.set(name, slot);
    return slot;
  }

  private scoped<T>(fn: () => T): T {
    this.scopes.push(new Map());
    const dot = this.dot;
    try {
      return fn();
    } finally {
      this.scopes.pop();
      this.dot = dot;
    }
  }

  private nodes(list: TemplateNode[]): Node[] {
    return list.map((n) => this.node(n));
  }

  private node(n: TemplateNode): Node {
    this.size++;
    switch (n.type) {
      case 'text':
        return { op: 'text', text: n.text };
      case 'action': {
        const expr = this.pipeline(n.pipe);
        if (n.pipe.decl.length)
          return { op: 'set', pos: n.pos, slot: this.assignSlot(n.pipe), expr };
        return { op: 'print', pos: n.pos, expr };
      }
      case 'if':
        return this.scoped(() => {
          const expr = this.pipeline(n.pipe);
          const slot = n.pipe.decl.length ? this.assignSlot(n.pipe) : -1;
          const body = this.nodes(n.list);
          return { op: 'if', pos: n.pos, expr, slot, body, ...this.elseBranch(n.elseList) };
        });
      case 'with':
        return this.scoped(() => {
          const expr = this.pipeline(n.pipe);
          const slot = n.pipe.decl.length ? this.assignSlot(n.pipe) : this.slots++;
          const body = this.withDot(slot, n.list);
          return { op: 'with', pos: n.pos, expr, slot, body, ...this.elseBranch(n.elseList) };
        });
      case 'range':
        return this.scoped(() => {
          const expr = this.pipeline(n.pipe);
          const dotSlot = this.slots++;
          let keySlot = -1;
          let valueSlot = -1;
          const [a, b] = n.pipe.decl;
          const bind = (name: string) =>
            n.pipe.isAssign ? this.lookupVar(name) : this.declare(name);
          if (a !== undefined && b !== undefined) {
            keySlot = bind(a);
            valueSlot = bind(b);
          } else if (a !== undefined) valueSlot = bind(a);
          const body = this.withDot(dotSlot, n.list);
          return {
            op: 'range',
            pos: n.pos,
            expr,
            decls: n.pipe.decl.length,
            keySlot,
            valueSlot,
            dotSlot,
            body,
            ...this.elseBranch(n.elseList),
          };
        });
    }
  }

  /** A with or range body, resolved with dot in the given slot. */
  private withDot(slot: number, list: TemplateNode[]): Node[] {
    const outer = this.dot;
    this.dot = slot;
    const body = this.nodes(list);
    this.dot = outer;
    return body;
  }

  /** An if/with/range else branch, in its own scope. */
  private elseBranch(list: TemplateNode[] | undefined): { elseBody?: Node[] } {
    return list ? { elseBody: this.scoped(() => this.nodes(list)) } : {};
  }

  /** The slot a declaration or assignment writes (declarations get a fresh one). */
  private assignSlot(pipe: Pipeline): number {
    const name = pipe.decl[0]!;
    return pipe.isAssign ? this.lookupVar(name) : this.declare(name);
  }

  private pipeline(pipe: Pipeline): Expr {
    const commands = pipe.cmds.map((cmd, i) => this.command(cmd, i > 0));
    return commands.length === 1 ? commands[0]! : { op: 'pipeline', commands };
  }

  private command(cmd: Command, piped: boolean): Expr {
    this.size++;
    const [first, ...rest] = cmd.args as [Arg, ...Arg[]];
    const hasArgs = rest.length > 0 || piped;
    switch (first.type) {
      case 'identifier': {
        const fn = FUNCTIONS[first.name]!;
        if (MUTATING_FUNCTIONS.has(first.name)) this.mutates = true;
        const args = rest.map((a, i) =>
          this.arg(a, i < fn.params.length ? fn.params[i]! : (fn.variadic ?? 'any')),
        );
        if (first.name === 'printf' && rest[0]?.type === 'string') {
          const bad = unsupportedVerbs(rest[0].value);
          if (bad.length)
            throw new GoTemplateSyntaxError(
              `printf verb ${bad[0]} is not supported by Lynq templates`,
              rest[0].pos.line,
              rest[0].pos.column,
            );
        }
        if (LAZY_FUNCTIONS.has(first.name)) {
          if (args.length === 0 && !piped)
            return this.fail(
              first.pos,
              `wrong number of args for ${first.name}: want at least 1 got 0`,
            );
          return { op: first.name as 'and' | 'or', pos: first.pos, args, piped };
        }
        return { op: 'call', pos: first.pos, name: first.name, fn, args, piped };
      }
      case 'field':
        if (hasArgs)
          return this.fail(
            first.pos,
            `${first.names[first.names.length - 1]} is not a method but has arguments`,
          );
        return this.fields(this.dot, first.pos, first.names);
      case 'nil':
        return this.fail(first.pos, 'nil is not a command');
      default:
        if (hasArgs)
          return this.fail(first.pos, `can't give argument to non-function ${describeArg(first)}`);
        return this.arg(first, 'any');
    }
  }

  private fail(pos: Pos, reason: string): Expr {
    return { op: 'fail', pos, reason };
  }

  private fields(slot: number, pos: Pos, names: string[]): Expr {
    return names.length === 0
      ? { op: 'slot', slot }
      : { op: 'fields', pos, slot, names: Object.freeze(names) };
  }

  private arg(a: Arg, param: string): Expr {
    this.size++;
    switch (a.type) {
      case 'field':
        return this.fields(this.dot, a.pos, a.names);
      case 'variable':
        return this.fields(this.lookupVar(a.name), a.pos, a.names);
      case 'dot':
        return { op: 'slot', slot: this.dot };
      case 'nil':
        return { op: 'const', value: null };
      case 'bool':
        return { op: 'const', value: a.value };
      case 'number':
        // Go converts constants to the parameter's type: 3.0 is a valid int, 3 a valid float64.
        if (param === 'int' && Number.isInteger(a.value)) return { op: 'const', value: a.value };
        if (param === 'float' || a.isFloat)
          return { op: 'const', value: Object.freeze(new Float64(a.value)) };
        return { op: 'const', value: a.value };
      case 'string':
        return { op: 'const', value: a.value };
      case 'identifier':
        return this.command({ pos: a.pos, args: [a] }, false);
      case 'pipe': {
        const base = this.pipeline(a.pipe);
        return a.names.length === 0
          ? base
          : { op: 'chain', pos: a.pos, base, names: Object.freeze(a.names) };
      }
    }
  }
}

function describeArg(a: Arg): string {
  switch (a.type) {
    case 'string':
      return JSON.stringify(a.value);
    case 'number':
      return a.text;
    case 'variable':
      return a.name + a.names.map((n) => `.${n}`).join('');
    case 'dot':
      return '.';
    case 'bool':
      return String(a.value);
    default:
      return a.type;
  }
}
