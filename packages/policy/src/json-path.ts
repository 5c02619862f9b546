import { JSONPath } from 'jsonpath-plus';

/** Why a JSONPath expression is rejected. */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
  constructor(
    readonly path: string,
    /** Character offset of the problem in `path`. */
    readonly position: number,
    readonly detail: string,
  ) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${detail} (at character ${position})`);
  }
}

const NAME = /[A-Za-z0-9_\-$]/;

/**
 * Checks the syntax of a JSONPath expression as used in ignoreFields: `$` (optional), `.name`,
 * `..name`, `.*`, `[*]`, `[0]`, `[0,2]`, `[1:3]`, `['key']`, `["a","b"]` and filters
 * `[?(@.status == 'active')]`. jsonpath-plus itself accepts almost any string, so admission needs
 * this to catch typos. Returns the error, or undefined when the path is valid.
 */
export function checkJsonPath(path: string): JsonPathError | undefined {
  const fail = (at: number, detail: string) => new JsonPathError(path, at, detail);
  if (path.trim() === '') return fail(0, 'empty path');
  let i = 0;
  if (path[0] === '$') i = 1;
  else if (!NAME.test(path[0] ?? '') && path[0] !== '[')
    return fail(0, `expected "$", a field name or "[" but found ${JSON.stringify(path[0])}`);
  else if (path[0] !== '[') {
    while (i < path.length && NAME.test(path[i] ?? '')) i++;
  }
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const deep = path[i + 1] === '.';
      i += deep ? 2 : 1;
      if (path[i] === '*') {
        i++;
        continue;
      }
      if (deep && path[i] === '[') continue;
      const start = i;
      while (i < path.length && NAME.test(path[i] ?? '')) i++;
      if (i === start)
        return fail(
          i,
          i < path.length
            ? `unexpected ${JSON.stringify(path[i])} after "."`
            : 'a field name must follow "."',
        );
      continue;
    }
    if (c === '[') {
      const end = bracketEnd(path, i);
      if (typeof end !== 'number') return fail(end.at, end.detail);
      const problem = checkBracket(path.slice(i + 1, end), i + 1);
      if (problem) return fail(problem.at, problem.detail);
      i = end + 1;
      continue;
    }
    return fail(i, `unexpected ${JSON.stringify(c)}`);
  }
  return undefined;
}

interface Problem {
  at: number;
  detail: string;
}

/** Index of the `]` closing the bracket at `open`, honouring quotes and parentheses. */
function bracketEnd(path: string, open: number): number | Problem {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return { at: i, detail: 'unbalanced ")"' };
      depth--;
    } else if (c === ']' && depth === 0) return i;
  }
  if (quote) return { at: path.length, detail: `unterminated string (missing ${quote})` };
  if (depth > 0) return { at: path.length, detail: 'unbalanced "("' };
  return { at: path.length, detail: 'missing "]"' };
}

const INDEX_LIST = /^\s*-?\d+\s*(,\s*-?\d+\s*)*$/;
const SLICE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(:\s*(-?\d+)?\s*)?$/;
const QUOTED_LIST =
  /^\s*('([^'\\]|\\.)*'|"([^"\\]|\\.)*")\s*(,\s*('([^'\\]|\\.)*'|"([^"\\]|\\.)*")\s*)*$/;

function checkBracket(inner: string, offset: number): Problem | undefined {
  const text = inner.trim();
  if (text === '') return { at: offset, detail: 'empty brackets' };
  if (text === '*' || INDEX_LIST.test(text) || SLICE.test(text) || QUOTED_LIST.test(text))
    return undefined;
  if (text.startsWith('?(') && text.endsWith(')')) return checkFilter(text.slice(2, -1), offset);
  if (text.startsWith('?'))
    return {
      at: offset,
      detail: 'a filter must be written ?(expression), for example [?(@.name == "web")]',
    };
  return {
    at: offset,
    detail: `unsupported selector [${inner}] (use *, an index, a slice, 'quoted keys' or ?(filter))`,
  };
}

/**
 * Parses a filter with jsonpath-plus's own (safe, eval-free) expression engine by running it on a
 * probe document. Errors that depend on the data (a property of a missing field) are fine; syntax
 * errors and unknown identifiers are not.
 */
function checkFilter(expression: string, offset: number): Problem | undefined {
  if (expression.trim() === '') return { at: offset, detail: 'empty filter' };
  // jsonpath-plus's safe evaluator blocks these already; refuse them outright as well.
  const forbidden = /\b(constructor|__proto__|prototype)\b/.exec(expression);
  if (forbidden) return { at: offset, detail: `a filter may not use ${forbidden[1]}` };
  try {
    JSONPath({ path: `$[?(${expression})]`, json: [{}], eval: 'safe', wrap: true });
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith('jsonPath: Cannot read properties of')) return undefined;
    return { at: offset, detail: `bad filter expression: ${message.replace(/^jsonPath: /, '')}` };
  }
}

/** A match of a JSONPath in a document: its value and where it is (RFC 6901 pointer segments). */
export interface JsonPathMatch {
  value: unknown;
  pointer: string[];
}

/**
 * Every match of `path` in `json`, in document order. Filters that touch a missing field simply
 * don't match that element (jsonpath-plus would otherwise abort the whole search).
 */
export function queryJsonPath(path: string, json: unknown): JsonPathMatch[] {
  if (typeof json !== 'object' || json === null) return [];
  // jsonpath-plus types its result as any; with resultType 'all' each entry has value and pointer.
  const found: unknown = JSONPath({
    path,
    json,
    resultType: 'all',
    wrap: true,
    eval: 'safe',
    ignoreEvalErrors: true,
  });
  if (!Array.isArray(found)) return [];
  return found.map((m: { value: unknown; pointer: string }) => ({
    value: m.value,
    pointer: m.pointer === '' ? [] : m.pointer.slice(1).split('/').map(unescapePointer),
  }));
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
