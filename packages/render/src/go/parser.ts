// A parser for the Go text/template dialect that Lynq forms use. It follows text/template's
// grammar (actions, pipelines, control structures, trim markers, comments) and rejects what
// Lynq for TypeScript does not implement (define/template/block, break/continue) with a
// line:column, so a template never renders differently from Go.
import { GO_BUILTINS_NOT_IMPLEMENTED, SPRIG_FUNCTION_NAMES } from '../functions/known-names.js';

export interface Pos {
  line: number;
  column: number;
}

export type Arg =
  | { type: 'field'; pos: Pos; names: string[] }
  | { type: 'variable'; pos: Pos; name: string; names: string[] }
  | { type: 'dot'; pos: Pos }
  | { type: 'nil'; pos: Pos }
  | { type: 'bool'; pos: Pos; value: boolean }
  | { type: 'number'; pos: Pos; text: string; isFloat: boolean; value: number }
  | { type: 'string'; pos: Pos; value: string }
  | { type: 'identifier'; pos: Pos; name: string }
  | { type: 'pipe'; pos: Pos; pipe: Pipeline; names: string[] };

export interface Command {
  pos: Pos;
  args: Arg[];
}

export interface Pipeline {
  pos: Pos;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

export type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'action'; pos: Pos; pipe: Pipeline }
  | {
      type: 'if' | 'with';
      pos: Pos;
      pipe: Pipeline;
      list: TemplateNode[];
      elseList?: TemplateNode[];
    }
  | { type: 'range'; pos: Pos; pipe: Pipeline; list: TemplateNode[]; elseList?: TemplateNode[] };

/** How deeply control structures, else-if chains and parentheses may nest. */
export const MAX_NESTING = 200;

/** A template that does not parse, or uses something we do not implement. */
export class GoTemplateSyntaxError extends Error {
  override readonly name = 'GoTemplateSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${reason}`);
  }
}

type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'comment'
  | 'eof';

interface Token {
  type: TokenType;
  value: string;
  offset: number;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
  'true',
  'false',
]);
const SPACE = /[ \t\r\n]/;
const ALNUM = /[\p{L}\p{Nd}_]/u;

function isTrimMarker(src: string, i: number): boolean {
  // "{{- " : a dash followed by an ASCII space (or tab, CR, LF).
  return src[i] === '-' && SPACE.test(src[i + 1] ?? '');
}

/** text without trailing ASCII spaces (a scan: `/[ \t\r\n]+$/` is quadratic on inner runs). */
function trimTrailingSpace(text: string): string {
  let end = text.length;
  while (end > 0 && SPACE.test(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Splits a template into tokens, applying trim markers to the text around actions. */
function lex(src: string, posAt: (offset: number) => Pos): Token[] {
  const tokens: Token[] = [];
  const fail = (offset: number, msg: string): never => {
    const p = posAt(offset);
    throw new GoTemplateSyntaxError(msg, p.line, p.column);
  };
  // The end of the "…" or '…' literal opening at start (escapes skipped; no newline inside).
  const lexQuoted = (start: number, unterminated: string): number => {
    const quote = src[start];
    let p = start + 1;
    while (p < src.length && src[p] !== quote) {
      if (src[p] === '\\') p++;
      if (src[p] === '\n') fail(start, unterminated);
      p++;
    }
    if (p >= src.length) fail(start, unterminated);
    return p + 1;
  };
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    const textStart = i;
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) tokens.push({ type: 'text', value: text, offset: textStart });
      break;
    }
    let j = open + 2;
    if (isTrimMarker(src, j)) {
      text = trimTrailingSpace(text);
      j += 2;
    }
    if (text) tokens.push({ type: 'text', value: text, offset: textStart });
    // Comments: {{/* ... */}} with optional trim markers, and nothing else in the action.
    if (src.startsWith('/*', j)) {
      const end = src.indexOf('*/', j + 2);
      if (end < 0) fail(open, 'unclosed comment');
      let after = end + 2;
      if (
        src.startsWith(' -}}', after) ||
        src.startsWith('\t-}}', after) ||
        src.startsWith('\n-}}', after) ||
        src.startsWith('\r-}}', after)
      ) {
        trimNext = true;
        after += 4;
      } else if (src.startsWith('}}', after)) after += 2;
      else fail(end, 'comment ends before closing delimiter');
      tokens.push({ type: 'comment', value: '', offset: open });
      i = after;
      continue;
    }
    tokens.push({ type: 'leftDelim', value: '{{', offset: open });
    // Inside the action.
    let p = j;
    let parenDepth = 0;
    for (;;) {
      if (p >= src.length) fail(open, 'unclosed action');
      const c = src[p]!;
      if (SPACE.test(c)) {
        const start = p;
        while (p < src.length && SPACE.test(src[p]!)) p++;
        // " -}}" closes with a trim marker.
        if (src[p] === '-' && src.startsWith('-}}', p)) {
          if (parenDepth > 0) fail(p, 'unclosed left paren');
          tokens.push({ type: 'rightDelim', value: '}}', offset: p });
          p += 3;
          trimNext = true;
          break;
        }
        tokens.push({ type: 'space', value: src.slice(start, p), offset: start });
        continue;
      }
      if (src.startsWith('}}', p)) {
        if (parenDepth > 0) fail(p, 'unclosed left paren');
        tokens.push({ type: 'rightDelim', value: '}}', offset: p });
        p += 2;
        break;
      }
      const start = p;
      if (c === '|') {
        tokens.push({ type: 'pipe', value: '|', offset: p++ });
      } else if (c === '(') {
        parenDepth++;
        tokens.push({ type: 'leftParen', value: '(', offset: p++ });
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) fail(p, 'unexpected right paren');
        tokens.push({ type: 'rightParen', value: ')', offset: p++ });
      } else if (c === ',') {
        tokens.push({ type: 'comma', value: ',', offset: p++ });
      } else if (src.startsWith(':=', p)) {
        tokens.push({ type: 'declare', value: ':=', offset: p });
        p += 2;
      } else if (c === '=') {
        tokens.push({ type: 'assign', value: '=', offset: p++ });
      } else if (c === '"') {
        p = lexQuoted(start, 'unterminated quoted string');
        tokens.push({ type: 'string', value: src.slice(start, p), offset: start });
      } else if (c === '`') {
        const end = src.indexOf('`', p + 1);
        if (end < 0) fail(start, 'unterminated raw quoted string');
        p = end + 1;
        tokens.push({ type: 'rawString', value: src.slice(start, p), offset: start });
      } else if (c === "'") {
        p = lexQuoted(start, 'unterminated character constant');
        tokens.push({ type: 'char', value: src.slice(start, p), offset: start });
      } else if (c === '$') {
        p = skipWord(src, p + 1);
        tokens.push({ type: 'variable', value: src.slice(start, p), offset: start });
      } else if (c === '.') {
        // A field (.Name), or dot alone, or a number (.5).
        if (/[0-9]/.test(src[p + 1] ?? '')) {
          p = lexNumber(src, p);
          tokens.push({ type: 'number', value: src.slice(start, p), offset: start });
        } else if (ALNUM.test(src[p + 1] ?? '')) {
          p = skipWord(src, p + 1);
          tokens.push({ type: 'field', value: src.slice(start, p), offset: start });
        } else {
          p++;
          tokens.push({ type: 'dot', value: '.', offset: start });
        }
      } else if (/[0-9+-]/.test(c)) {
        if ((c === '+' || c === '-') && !/[0-9.]/.test(src[p + 1] ?? ''))
          fail(p, `unexpected "${c}" in command`);
        p = lexNumber(src, p);
        tokens.push({ type: 'number', value: src.slice(start, p), offset: start });
      } else if (ALNUM.test(c)) {
        p = skipWord(src, p);
        const word = src.slice(start, p);
        const type: TokenType =
          word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : KEYWORDS.has(word)
                ? 'keyword'
                : 'identifier';
        tokens.push({ type, value: word, offset: start });
      } else {
        fail(p, `unexpected ${JSON.stringify(c)} in command`);
      }
      // Fields may chain directly after an operand: $x.a, (pipe).a, .a.b
      while (src[p] === '.' && ALNUM.test(src[p + 1] ?? '')) {
        const fs = p;
        p = skipWord(src, p + 1);
        tokens.push({ type: 'field', value: src.slice(fs, p), offset: fs });
      }
    }
    i = p;
  }
  tokens.push({ type: 'eof', value: '', offset: src.length });
  return tokens;
}

/** The end of the run of identifier characters starting at p. */
function skipWord(src: string, p: number): number {
  while (p < src.length && ALNUM.test(src[p]!)) p++;
  return p;
}

function lexNumber(src: string, start: number): number {
  let p = start;
  if (src[p] === '+' || src[p] === '-') p++;
  let digits = '0123456789_';
  if (src[p] === '0' && /[xXoObB]/.test(src[p + 1] ?? '')) {
    const b = src[p + 1]!.toLowerCase();
    p += 2;
    digits = b === 'x' ? '0123456789abcdefABCDEF_' : b === 'o' ? '01234567_' : '01_';
  }
  while (p < src.length && digits.includes(src[p]!)) p++;
  if (src[p] === '.') {
    p++;
    while (p < src.length && digits.includes(src[p]!)) p++;
  }
  if (digits.length > 20 ? /[pP]/.test(src[p] ?? '') : /[eE]/.test(src[p] ?? '')) {
    p++;
    if (src[p] === '+' || src[p] === '-') p++;
    while (p < src.length && /[0-9_]/.test(src[p]!)) p++;
  }
  if (src[p] === 'i') p++;
  return p;
}

function unquote(text: string, fail: (msg: string) => never): string {
  if (text.startsWith('`')) return text.slice(1, -1).replace(/\r/g, '');
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case "'":
        if (e !== text[0]) fail(`invalid syntax: ${text}`);
        out += e;
        break;
      case 'x': {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) fail(`invalid syntax: ${text}`);
        // A byte: only ASCII bytes make valid UTF-8 on their own.
        const n = parseInt(h, 16);
        if (n > 0x7f) fail(`\\x escapes above 0x7f are not supported: ${text}`);
        out += String.fromCharCode(n);
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const len = e === 'u' ? 4 : 8;
        const h = body.slice(i + 1, i + 1 + len);
        if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) fail(`invalid syntax: ${text}`);
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`invalid syntax: ${text}`);
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      default:
        if (e !== undefined && /[0-7]/.test(e)) {
          const o = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) fail(`invalid syntax: ${text}`);
          const n = parseInt(o, 8);
          if (n > 0x7f) fail(`octal escapes above \\177 are not supported: ${text}`);
          out += String.fromCharCode(n);
          i += 2;
          break;
        }
        fail(`invalid syntax: ${text}`);
    }
  }
  return out;
}

function parseNumber(
  text: string,
  fail: (msg: string) => never,
): { isFloat: boolean; value: number } {
  if (text.endsWith('i')) fail(`complex numbers are not supported: ${text}`);
  const clean = text.replace(/_/g, '');
  const isFloat = /[.eEpP]/.test(clean) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(clean);
  if (!isFloat) {
    const neg = clean.startsWith('-');
    const body = clean.replace(/^[+-]/, '');
    let n: number;
    if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
    else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
    else if (/^0[0-7]+$/.test(body)) n = parseInt(body, 8);
    else if (/^0[0-9]+$/.test(body)) fail(`integer overflow: "${text}"`);
    else if (/^[0-9]+$/.test(body)) n = parseInt(body, 10);
    else fail(`bad number syntax: "${text}"`);
    if (!Number.isSafeInteger(n!)) fail(`integer constants beyond 2^53 are not supported: ${text}`);
    return { isFloat: false, value: neg ? -n! : n! };
  }
  if (/^[+-]?0[xX]/.test(clean))
    fail(`hexadecimal floating-point constants are not supported: ${text}`);
  const value = Number(clean);
  if (!Number.isFinite(value)) fail(`illegal number syntax: "${text}"`);
  return { isFloat: true, value };
}

/** Parses a Go template; `functions` are the names a template may call. */
export function parseGoTemplate(src: string, functions: ReadonlySet<string>): TemplateNode[] {
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const posAt = (offset: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const tokens = lex(src, posAt);
  let t = 0;
  // Variables in scope: one list per control structure, and how often each name is declared.
  const vars: string[][] = [['$']];
  const declaredCount = new Map<string, number>([['$', 1]]);
  const pushScope = () => {
    vars.push([]);
  };
  const popScope = () => {
    for (const name of vars.pop()!) declaredCount.set(name, declaredCount.get(name)! - 1);
  };
  const declare = (name: string) => {
    vars[vars.length - 1]!.push(name);
    declaredCount.set(name, (declaredCount.get(name) ?? 0) + 1);
  };
  // Nesting of control structures, else-if chains and parentheses, which the parser and the
  // interpreter follow recursively.
  let depth = 0;
  const enter = (tok: Token) => {
    if (++depth > MAX_NESTING)
      fail(
        tok,
        `template nests deeper than ${MAX_NESTING} levels (if, with, range, else if, parentheses)`,
      );
  };

  const fail = (tok: Token, msg: string): never => {
    const p = posAt(tok.offset);
    throw new GoTemplateSyntaxError(msg, p.line, p.column);
  };
  const peek = (): Token => tokens[t]!;
  const next = (): Token => tokens[t++]!;
  const peekNonSpace = (): Token => {
    while (tokens[t]!.type === 'space') t++;
    return tokens[t]!;
  };
  const nextNonSpace = (): Token => {
    peekNonSpace();
    return next();
  };
  const declared = (name: string) => (declaredCount.get(name) ?? 0) > 0;

  function parseList(terminators: string[]): { list: TemplateNode[]; end: string; endTok: Token } {
    const list: TemplateNode[] = [];
    for (;;) {
      const tok = next();
      switch (tok.type) {
        case 'eof':
          if (terminators.length) fail(tok, `unexpected EOF`);
          return { list, end: 'eof', endTok: tok };
        case 'text':
          list.push({ type: 'text', text: tok.value });
          break;
        case 'comment':
          break;
        case 'leftDelim': {
          const kw = peekNonSpace();
          if (kw.type === 'keyword') {
            switch (kw.value) {
              case 'end':
              case 'else':
                if (!terminators.includes(kw.value)) fail(kw, `unexpected {{${kw.value}}}`);
                next();
                return { list, end: kw.value, endTok: kw };
              case 'if':
              case 'with':
              case 'range':
                next();
                list.push(parseControl(kw.value, kw));
                break;
              case 'define':
              case 'template':
              case 'block':
              case 'break':
              case 'continue':
                fail(kw, `{{${kw.value}}} is not supported by Lynq templates`);
                break;
              default:
                fail(kw, `unexpected keyword ${kw.value}`);
            }
          } else {
            const pipe = parsePipeline('action', kw);
            list.push({ type: 'action', pos: posAt(kw.offset), pipe });
          }
          break;
        }
        default:
          fail(tok, `unexpected ${tok.value}`);
      }
    }
  }

  function parseControl(kind: 'if' | 'with' | 'range', kw: Token): TemplateNode {
    enter(kw);
    pushScope();
    const pipe = parsePipeline(kind, kw);
    const body = parseList(['end', 'else']);
    let elseList: TemplateNode[] | undefined;
    if (body.end === 'else') {
      const after = peekNonSpace();
      // {{else if ...}} / {{else with ...}} chain into a nested control in the else branch.
      if (
        (kind === 'if' && after.type === 'keyword' && after.value === 'if') ||
        (kind === 'with' && after.type === 'keyword' && after.value === 'with')
      ) {
        next();
        const nested = parseControlChain(kind, after);
        elseList = [nested];
        popScope();
        depth--;
        return { type: kind, pos: posAt(kw.offset), pipe, list: body.list, elseList };
      }
      expectRightDelim();
      const e = parseList(['end']);
      elseList = e.list;
    }
    expectRightDelim();
    popScope();
    depth--;
    return {
      type: kind,
      pos: posAt(kw.offset),
      pipe,
      list: body.list,
      ...(elseList ? { elseList } : {}),
    };
  }

  // The nested control of an else-if chain shares the outer {{end}}.
  function parseControlChain(kind: 'if' | 'with', kw: Token): TemplateNode {
    enter(kw);
    pushScope();
    const pipe = parsePipeline(kind, kw);
    const body = parseList(['end', 'else']);
    let elseList: TemplateNode[] | undefined;
    if (body.end === 'else') {
      const after = peekNonSpace();
      if (after.type === 'keyword' && after.value === kind) {
        next();
        elseList = [parseControlChain(kind, after)];
        popScope();
        depth--;
        return { type: kind, pos: posAt(kw.offset), pipe, list: body.list, elseList };
      }
      expectRightDelim();
      elseList = parseList(['end']).list;
    }
    expectRightDelim();
    popScope();
    depth--;
    return {
      type: kind,
      pos: posAt(kw.offset),
      pipe,
      list: body.list,
      ...(elseList ? { elseList } : {}),
    };
  }

  function expectRightDelim() {
    const tok = nextNonSpace();
    if (tok.type !== 'rightDelim') fail(tok, `unexpected ${describe(tok)}; expected }}`);
  }

  function describe(tok: Token): string {
    return tok.type === 'eof' ? 'EOF' : JSON.stringify(tok.value);
  }

  function parsePipeline(context: string, first: Token): Pipeline {
    const pos = posAt(first.offset);
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: $x := / $x = / $i, $v := (range only)
    const save = t;
    const v = peekNonSpace();
    if (v.type === 'variable') {
      next();
      const after = peekNonSpace();
      if (after.type === 'declare' || after.type === 'assign') {
        next();
        isAssign = after.type === 'assign';
        if (isAssign && !declared(v.value)) fail(v, `undefined variable "${v.value}"`);
        decl.push(v.value);
      } else if (after.type === 'comma' && context === 'range') {
        next();
        const v2 = nextNonSpace();
        if (v2.type !== 'variable') fail(v2, `range can only initialize variables`);
        const op = nextNonSpace();
        if (op.type !== 'declare' && op.type !== 'assign')
          fail(op, 'expected := or = in range declaration');
        isAssign = op.type === 'assign';
        decl.push(v.value, v2.value);
      } else {
        t = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const tok = peekNonSpace();
      if (tok.type === 'rightDelim' || tok.type === 'rightParen') {
        if (context !== 'paren' && tok.type === 'rightParen') fail(tok, 'unexpected right paren');
        if (context === 'paren' && tok.type === 'rightDelim') fail(tok, 'unclosed left paren');
        if (context !== 'paren') next();
        break;
      }
      cmds.push(parseCommand());
      const sep = peekNonSpace();
      if (sep.type === 'pipe') {
        next();
        continue;
      }
    }
    if (cmds.length === 0)
      fail(first, `missing value for ${context === 'paren' ? 'parenthesized pipeline' : context}`);
    if (!isAssign) for (const name of decl) declare(name);
    for (let i = 1; i < cmds.length; i++) {
      const a0 = cmds[i]!.args[0]!;
      if (a0.type !== 'identifier' && a0.type !== 'field')
        fail(tokens[t - 1]!, `non executable command in pipeline stage ${i + 1}`);
    }
    return { pos, decl, isAssign, cmds };
  }

  function parseCommand(): Command {
    const args: Arg[] = [];
    const start = peekNonSpace();
    for (;;) {
      const tok = peek();
      if (tok.type === 'space') {
        next();
        continue;
      }
      if (tok.type === 'rightDelim' || tok.type === 'rightParen' || tok.type === 'pipe') break;
      args.push(parseOperand());
      const after = peek();
      if (
        after.type !== 'space' &&
        after.type !== 'rightDelim' &&
        after.type !== 'rightParen' &&
        after.type !== 'pipe'
      )
        fail(after, `unexpected ${describe(after)} in operand`);
    }
    if (args.length === 0) fail(start, 'empty command');
    return { pos: posAt(start.offset), args };
  }

  function fieldChain(): string[] {
    const names: string[] = [];
    while (peek().type === 'field') names.push(next().value.slice(1));
    return names;
  }

  function parseOperand(): Arg {
    const tok = next();
    const pos = posAt(tok.offset);
    const failHere = (msg: string): never => fail(tok, msg);
    switch (tok.type) {
      case 'field':
        return { type: 'field', pos, names: [tok.value.slice(1), ...fieldChain()] };
      case 'variable': {
        if (!declared(tok.value)) fail(tok, `undefined variable "${tok.value}"`);
        return { type: 'variable', pos, name: tok.value, names: fieldChain() };
      }
      case 'dot': {
        if (peek().type === 'field') fail(peek(), 'unexpected . after term "."');
        return { type: 'dot', pos };
      }
      case 'nil':
        return { type: 'nil', pos };
      case 'bool':
        return { type: 'bool', pos, value: tok.value === 'true' };
      case 'number':
        return { type: 'number', pos, text: tok.value, ...parseNumber(tok.value, failHere) };
      case 'char': {
        const s = unquote(tok.value, failHere);
        if ([...s].length !== 1) fail(tok, `malformed character constant: ${tok.value}`);
        return { type: 'number', pos, text: tok.value, isFloat: false, value: s.codePointAt(0)! };
      }
      case 'string':
      case 'rawString':
        return { type: 'string', pos, value: unquote(tok.value, failHere) };
      case 'identifier':
        if (!functions.has(tok.value))
          fail(
            tok,
            SPRIG_FUNCTION_NAMES.has(tok.value) || GO_BUILTINS_NOT_IMPLEMENTED.has(tok.value)
              ? `function "${tok.value}" is not supported by Lynq templates`
              : `function "${tok.value}" not defined`,
          );
        if (peek().type === 'field') fail(peek(), `unexpected . after term "${tok.value}"`);
        return { type: 'identifier', pos, name: tok.value };
      case 'leftParen': {
        enter(tok);
        const pipe = parsePipeline('paren', tok);
        const close = next();
        if (close.type !== 'rightParen') fail(close, 'unclosed left paren');
        depth--;
        return { type: 'pipe', pos, pipe, names: fieldChain() };
      }
      case 'keyword':
        return fail(tok, `unexpected keyword ${tok.value} in command`);
      default:
        return fail(tok, `unexpected ${describe(tok)} in operand`);
    }
  }

  const { list } = parseList([]);
  return list;
}
