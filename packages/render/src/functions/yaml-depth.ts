// The yaml package composes documents recursively: a few hundred levels of `[` or of
// indentation overflow the stack, and V8 can then die with a fatal "RegExpCompiler Allocation
// failed" instead of a catchable RangeError, taking the whole process with it. So fromYaml
// bounds the nesting from the lexer's tokens (which it produces iteratively) before composing.
import { CST, Lexer } from 'yaml';
import { RenderBudgetError } from '../budget.js';

/** Nesting the scan allows whatever maxDepth says: well below where composing overflows. */
const YAML_NESTING_CAP = 402;

/**
 * Throws when `text` may nest deeper than its limit. The count is an upper bound of the
 * document's nesting: open flow brackets, plus the indentations of the enclosing lines, plus
 * the `-`, `?` and `:` indicators on the current line (a block map level counts about twice).
 */
export function checkYamlNesting(text: string, maxDepth: number, what = 'fromYaml'): void {
  const limit = Math.min(2 * maxDepth + 2, YAML_NESTING_CAP);
  const indents: number[] = [];
  let flow = 0;
  let onLine = 0;
  let indent = 0;
  let atLineStart = true;
  let scalarNext = false;
  for (const tok of new Lexer().lex(text)) {
    if (scalarNext) {
      scalarNext = false;
      if (tok.includes('\n')) {
        atLineStart = true;
        indent = 0;
        onLine = 0;
      }
      continue;
    }
    const type = CST.tokenType(tok);
    if (type === 'newline') {
      atLineStart = true;
      indent = 0;
      onLine = 0;
      continue;
    }
    if (type === 'space') {
      if (atLineStart) indent += tok.length;
      continue;
    }
    if (type === 'comment' || type === 'doc-mode' || type === 'byte-order-mark') continue;
    if (atLineStart) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      atLineStart = false;
    }
    if (type === 'scalar') scalarNext = true;
    else if (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind')
      onLine++;
    else if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
    else if (type === 'flow-seq-end' || type === 'flow-map-end') flow = Math.max(0, flow - 1);
    if (flow + indents.length + onLine > limit)
      throw new RenderBudgetError(
        'depth',
        limit,
        `${what}: YAML nests deeper than ${limit} levels (limits.maxDepth)`,
      );
  }
}
