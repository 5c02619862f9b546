// Multi-document YAML with positions: each document's value, and where a field path
// (`spec.deployments[0].spec['app.kubernetes.io/name']`, as @lynq/api formats paths) sits in the
// file, from the `yaml` library's nodes and LineCounter.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export interface SourceDocument {
  /** 0-based index of the document in the file. */
  index: number;
  value: unknown;
  /** Where the document starts. */
  start: Position;
  /** YAML syntax errors of this document (it is not checked further). */
  errors: { message: string; position: Position }[];
  /** Where `path` is; the nearest existing parent when the field itself is absent. */
  positionOf(path: string): Position;
}

type PathSegment = string | number;

/** Parses `a.b[0]['c.d']` into segments; whatever does not parse ends the path there. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\.?([A-Za-z_$][\w$]*)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

interface Ranged {
  range?: [number, number, number] | null;
}

function nodeAt(doc: Document, segments: readonly PathSegment[]): Ranged | undefined {
  let node: unknown = doc.contents;
  let found: Ranged | undefined = (node as Ranged | null) ?? undefined;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      // A key without a value (`spec:`) points at the key.
      const value = pair.value as Ranged | null;
      const empty = !value?.range || value.range[0] === value.range[1];
      found = empty ? ((pair.key as Ranged | null) ?? found) : value;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Ranged | undefined;
      if (!item) break;
      found = item;
      node = item;
    } else break;
  }
  return found;
}

/** Splits YAML text into documents with positions. Empty documents (a trailing `---`) are dropped. */
export function parseYamlDocuments(text: string): SourceDocument[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const at = (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  const out: SourceDocument[] = [];
  list.forEach((doc) => {
    if (doc.contents === null && doc.errors.length === 0) return;
    const start = at(doc.contents?.range?.[0] ?? doc.range[0]);
    const errors = doc.errors.map((e) => ({
      message: e.message.split('\n')[0] ?? e.message,
      position: at(e.pos[0]),
    }));
    let value: unknown;
    if (errors.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        // An alias bomb or a similar refusal of the library: a finding like a syntax error.
        errors.push({ message: (err as Error).message, position: start });
      }
    }
    out.push({
      index: out.length,
      value,
      start,
      errors,
      positionOf: (path) => {
        const node = nodeAt(doc, parsePath(path));
        return node?.range ? at(node.range[0]) : start;
      },
    });
  });
  return out;
}
