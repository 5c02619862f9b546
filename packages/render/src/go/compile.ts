// Compiles a parsed Go template to nunjucks source. Nunjucks supplies control flow, output and
// the compiled JavaScript; every Go operation becomes a call to a runtime helper (see
// go-runtime.ts) so that Go's semantics hold: missingkey=error, Go truthiness, lazy and/or,
// typed function arguments, Go's printing. Go variables and dot live in numbered slots, because
// Go's `$x = …` inside a range assigns the outer variable, which nunjucks' scoping cannot do.
import { FUNCTIONS, LAZY_FUNCTIONS } from '../functions/library.js';
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

export interface CompiledGo {
  /** Nunjucks source. */
  source: string;
  /** Constants the source reads with __lk(i). */
  constants: unknown[];
  /** Number of variable slots (slot 0 is the root data, `$`). */
  slots: number;
}

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/** Encodes a position as one number for the runtime helpers. */
export function encodePos(p: Pos): number {
  return p.line * 100000 + Math.min(p.column, 99999);
}

export function decodePos(n: number): Pos {
  return { line: Math.floor(n / 100000), column: n % 100000 };
}

/** How many Go templates this process has parsed (tests check that renders never re-parse). */
export let goParseCount = 0;

export function compileGoTemplate(text: string): CompiledGo {
  goParseCount++;
  const ast = parseGoTemplate(text, FUNCTION_NAMES);
  return new GoCompiler().compile(ast);
}

class GoCompiler {
  private readonly constants: unknown[] = [];
  private slots = 1;
  private readonly scopes: Map<string, number>[] = [new Map([['$', 0]])];
  private dot = 0;
  private loops = 0;

  compile(ast: TemplateNode[]): CompiledGo {
    const source = this.nodes(ast);
    return { source, constants: this.constants, slots: this.slots };
  }

  private constant(v: unknown): string {
    this.constants.push(v);
    return `__lk(${this.constants.length - 1})`;
  }

  private newSlot(): number {
    return this.slots++;
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
    const slot = this.newSlot();
    this.scopes[this.scopes.length - 1]!.set(name, slot);
    return slot;
  }

  private nodes(list: TemplateNode[]): string {
    return list.map((n) => this.node(n)).join('');
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

  private node(n: TemplateNode): string {
    switch (n.type) {
      case 'text':
        return /\{[{%#]/.test(n.text) || /[{]$/.test(n.text)
          ? `{{ ${this.constant(n.text)} }}`
          : n.text;
      case 'action': {
        const value = this.pipeline(n.pipe);
        if (n.pipe.decl.length) return `{{ __ld(${this.assignSlot(n.pipe)}, ${value}) }}`;
        return `{{ __lo(${encodePos(n.pos)}, ${value}) }}`;
      }
      case 'if':
        return this.scoped(() => {
          const value = this.pipeline(n.pipe);
          const cond = n.pipe.decl.length ? `__lsv(${this.assignSlot(n.pipe)}, ${value})` : value;
          const body = this.nodes(n.list);
          const elseBody = this.elseBranch(n.elseList);
          return `{% if __lt(${cond}) %}${body}${elseBody}{% endif %}`;
        });
      case 'with':
        return this.scoped(() => {
          const value = this.pipeline(n.pipe);
          const slot = n.pipe.decl.length ? this.assignSlot(n.pipe) : this.newSlot();
          const body = this.nodesWithDot(slot, n.list);
          const elseBody = this.elseBranch(n.elseList);
          return `{% if __lt(__lsv(${slot}, ${value})) %}${body}${elseBody}{% endif %}`;
        });
      case 'range':
        return this.scoped(() => {
          const value = this.pipeline(n.pipe);
          const loopVar = `__e${this.loops++}`;
          const dotSlot = this.newSlot();
          let keySlot = -1;
          let valueSlot = -1;
          const [a, b] = n.pipe.decl;
          const bind = (name: string) =>
            n.pipe.isAssign ? this.lookupVar(name) : this.declare(name);
          if (a !== undefined && b !== undefined) {
            keySlot = bind(a);
            valueSlot = bind(b);
          } else if (a !== undefined) valueSlot = bind(a);
          const body = this.nodesWithDot(dotSlot, n.list);
          const elseBody = this.elseBranch(n.elseList);
          return (
            `{% for ${loopVar} in __lr(${encodePos(n.pos)}, ${value}, ${n.pipe.decl.length}) %}` +
            `{{ __le(${encodePos(n.pos)}, ${loopVar}, ${keySlot}, ${valueSlot}, ${dotSlot}) }}${body}${elseBody}{% endfor %}`
          );
        });
    }
  }

  /** A with or range body, compiled with dot in the given slot. */
  private nodesWithDot(slot: number, list: TemplateNode[]): string {
    const outerDot = this.dot;
    this.dot = slot;
    const body = this.nodes(list);
    this.dot = outerDot;
    return body;
  }

  /** An if/with/range else branch, in its own scope; nothing when there is none. */
  private elseBranch(list: TemplateNode[] | undefined): string {
    return list ? `{% else %}${this.scoped(() => this.nodes(list))}` : '';
  }

  /** The slot a declaration or assignment writes (declarations get a fresh one). */
  private assignSlot(pipe: Pipeline): number {
    const name = pipe.decl[0]!;
    return pipe.isAssign ? this.lookupVar(name) : this.declare(name);
  }

  private pipeline(pipe: Pipeline): string {
    let value: string | undefined;
    for (const cmd of pipe.cmds) value = this.command(cmd, value);
    return value!;
  }

  private fail(pos: Pos, message: string): string {
    return `__lx(${encodePos(pos)}, ${this.constant(message)})`;
  }

  private command(cmd: Command, final: string | undefined): string {
    const [first, ...rest] = cmd.args as [Arg, ...Arg[]];
    const hasArgs = rest.length > 0 || final !== undefined;
    switch (first.type) {
      case 'identifier': {
        const fn = FUNCTIONS[first.name]!;
        const args = rest.map((a, i) =>
          this.arg(a, i < fn.params.length ? fn.params[i]! : (fn.variadic ?? 'any')),
        );
        if (final !== undefined) args.push(final);
        if (first.name === 'printf' && rest[0]?.type === 'string') {
          const bad = unsupportedVerbs(rest[0].value);
          if (bad.length)
            throw new GoTemplateSyntaxError(
              `printf verb ${bad[0]} is not supported by Lynq templates`,
              rest[0].pos.line,
              rest[0].pos.column,
            );
        }
        if (LAZY_FUNCTIONS.has(first.name))
          return this.lazy(first.name as 'and' | 'or', first.pos, args);
        return `__lc(${encodePos(first.pos)}, "${first.name}"${args.map((a) => `, ${a}`).join('')})`;
      }
      case 'field':
        if (hasArgs)
          return this.fail(
            first.pos,
            `${first.names[first.names.length - 1]} is not a method but has arguments`,
          );
        return this.slotFields(this.dot, first.pos, first.names);
      case 'nil':
        return this.fail(first.pos, 'nil is not a command');
      default:
        if (hasArgs)
          return this.fail(first.pos, `can't give argument to non-function ${describeArg(first)}`);
        return this.arg(first, 'any');
    }
  }

  /** Go's and/or evaluate their arguments left to right and stop at the deciding one. */
  private lazy(name: 'and' | 'or', pos: Pos, args: string[]): string {
    if (args.length === 0)
      return this.fail(pos, `wrong number of args for ${name}: want at least 1 got 0`);
    const fold = (i: number): string => {
      if (i === args.length - 1) return args[i]!;
      const slot = this.newSlot();
      const test = `__lt(__lsv(${slot}, ${args[i]}))`;
      return name === 'and'
        ? `(${fold(i + 1)} if ${test} else __lv(${slot}))`
        : `(__lv(${slot}) if ${test} else ${fold(i + 1)})`;
    };
    return fold(0);
  }

  private slotFields(slot: number, pos: Pos, names: string[]): string {
    if (names.length === 0) return `__lv(${slot})`;
    return `__lfv(${encodePos(pos)}, ${slot}${names.map((n) => `, "${n}"`).join('')})`;
  }

  private fields(base: string, pos: Pos, names: string[]): string {
    let expr = base;
    for (const name of names) expr = `__lf(${encodePos(pos)}, ${expr}, "${name}")`;
    return expr;
  }

  private arg(a: Arg, param: string): string {
    switch (a.type) {
      case 'field':
        return this.slotFields(this.dot, a.pos, a.names);
      case 'variable':
        return this.slotFields(this.lookupVar(a.name), a.pos, a.names);
      case 'dot':
        return `__lv(${this.dot})`;
      case 'nil':
        return 'none';
      case 'bool':
        return a.value ? 'true' : 'false';
      case 'number': {
        // Go converts constants to the parameter's type: 3.0 is a valid int, 3 a valid float64.
        if (param === 'int' && Number.isInteger(a.value)) return this.int(a.value);
        if (param === 'float' || a.isFloat) return this.constant(new Float64(a.value));
        return this.int(a.value);
      }
      case 'string':
        return this.constant(a.value);
      case 'identifier':
        return this.command({ pos: a.pos, args: [a] }, undefined);
      case 'pipe':
        return this.fields(`(${this.pipeline(a.pipe)})`, a.pos, a.names);
    }
  }

  private int(n: number): string {
    return n >= 0 && Number.isSafeInteger(n) ? String(n) : this.constant(n);
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
