/** One sample of the Prometheus text format. Labels keep the order the exposition wrote them in. */
export interface Sample {
  name: string;
  labels: [string, string][];
  value: number;
}

export interface Scrape {
  /** The exposition text as served. */
  text: string;
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** Samples named `name` whose labels include every pair of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample that matches, or undefined (several matches: an error). */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return Number(text);
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** Parses Prometheus text exposition (version 0.0.4). */
export function parseMetrics(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m !== null) types.set(m[1]!, m[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: [string, string][] = [];
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let l = LABEL.exec(body); l !== null; l = LABEL.exec(body)) {
      labels.push([l[1]!, unescapeLabel(l[2]!)]);
      consumed = LABEL.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels in Prometheus line: ${line}`);
    samples.push({ name: m[1]!, labels, value: parseValue(m[3]!) });
  }
  const find = (name: string, want: Record<string, string> = {}) =>
    samples.filter(
      (s) =>
        s.name === name &&
        Object.entries(want).every(([k, v]) => s.labels.some(([lk, lv]) => lk === k && lv === v)),
    );
  return {
    text,
    samples,
    types,
    find,
    value: (name, want) => {
      const found = find(name, want);
      if (found.length > 1)
        throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(want ?? {})}`);
      return found[0]?.value;
    },
  };
}

/** GETs `url` (an operator's metricsUrl) and parses it; a non-200 answer is an error. */
export async function scrapeMetrics(url: string): Promise<Scrape> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}: ${text.slice(0, 500)}`);
  return parseMetrics(text);
}

/** GET an operator endpoint: status and body text (probe results, for the health checks). */
export async function httpGet(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
}
