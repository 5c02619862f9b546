// The printed report: one table of the raw limit, the operator and their ratio, then the other
// figures. Everything here is also in the JSON file.
import type { Window } from './bench.js';
import type { LatencyStats } from './latency.js';
import type { SteadyResult, ProvisionResult } from './provision.js';
import type { RawResult } from './raw.js';

export interface MemoryFigures {
  /** Right after /readyz. */
  start: { rssMiB: number; pssMiB: number };
  peak: { rssMiB: number; pssMiB: number };
  /** At the end of the steady-state window. */
  steady: { rssMiB: number; pssMiB: number } | undefined;
  /** Processes in the tree at the end (the operator and its render processes). */
  processes: number;
  samples: number;
}

export interface Results {
  startedAt: string;
  commit: string;
  machine: { cpus: number; loadAverage: number[] };
  cluster: { dir: string; kubeconfig: string; startedByBench: boolean };
  options: Record<string, unknown>;
  workload: { rows: number; resources: number; kinds: string[] };
  raw: RawResult | undefined;
  operator: ProvisionResult;
  /** operator seconds / raw seconds. */
  ratio: number | undefined;
  steady: SteadyResult | undefined;
  memory: MemoryFigures;
  latency: { mysql?: LatencyStats; postgres?: LatencyStats; pgProvision?: ProvisionResult };
  operatorLog: string;
  operatorArgs: string[];
  nodeOptions: string[];
  /** What the operator's environment had beyond the bench's own (the image's NODE_OPTIONS). */
  operatorEnv: Record<string, string>;
}

const KINDS = ['ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'Ingress'];
export const kindsOf = (resources: number) => KINDS.slice(0, resources);

function table(rows: (string | number | undefined)[][], align: ('l' | 'r')[]): string {
  const cells = rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  return cells
    .map((r) =>
      r
        .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const s = (value: number | undefined, digits = 1) =>
  value === undefined ? '' : value.toFixed(digits);
const ms = (value: number) =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
const indent = (text: string) => text.replace(/^/gm, '  ');

/** Union of the keys of two count maps, largest first (by the larger of the two). */
function side(
  a: Record<string, number> | undefined,
  b: Record<string, number> | undefined,
  limit: number,
): [string, number | undefined, number | undefined][] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys]
    .map((k): [string, number | undefined, number | undefined] => [k, a?.[k], b?.[k]])
    .sort((x, y) => Math.max(y[1] ?? 0, y[2] ?? 0) - Math.max(x[1] ?? 0, x[2] ?? 0))
    .slice(0, limit);
}

function perRow(value: number | undefined, rows: number): string {
  return value === undefined ? '' : `${value}  (${(value / rows).toFixed(1)}/row)`;
}

/** operator − raw: what the operator's run added to what the control plane does anyway. */
function extra(raw: number | undefined, operator: number | undefined, rows: number): string {
  const d = (operator ?? 0) - (raw ?? 0);
  const sign = d > 0 ? '+' : '';
  return d === 0 ? '' : `${sign}${d}  (${sign}${(d / rows).toFixed(1)}/row)`;
}

/** Per controller: mean seconds of one reconcile, and mean seconds a key waited for a worker. */
function means(o: Window['operator']): string {
  if (o === undefined) return '';
  const mean = (sum: number | undefined, count: number | undefined) =>
    count === undefined || count === 0 ? '–' : `${((sum ?? 0) / count).toFixed(2)} s`;
  return Object.keys(o.reconcileCount ?? {})
    .map(
      (c) =>
        `${c} ${mean(o.reconcileSeconds[c], o.reconcileCount[c])} / ${mean(o.queueWaitSeconds?.[c], o.queueWaitCount?.[c])}`,
    )
    .join(', ');
}

const counts = (map: Record<string, number> | undefined) => {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
};

export function formatReport(r: Results): string {
  const out: string[] = [];
  const n = r.workload.rows;
  out.push(
    `Lynq e2e bench: ${n} rows × ${r.workload.resources} resources = ${n * r.workload.resources} objects (${r.workload.kinds.join(', ')})`,
    `commit ${r.commit}; ${r.machine.cpus} CPUs, load ${r.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}; cluster ${r.cluster.dir}`,
    `operator environment: ${
      Object.entries(r.operatorEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || "Node's defaults (--node-defaults)"
    }`,
    '',
  );
  const op = r.operator;
  const rows: (string | number | undefined)[][] = [['', 'seconds', 'objects/s', 'rows/s', '']];
  if (r.raw !== undefined)
    rows.push([
      `raw SSA (${String(r.options['concurrency'])} in flight)`,
      s(r.raw.seconds),
      s(r.raw.objectsPerSecond),
      s(r.raw.rowsPerSecond),
      `PATCHes answered at ${s(r.raw.writeSeconds)} s, then Deployments Available`,
    ]);
  rows.push([
    'operator',
    s(op.seconds),
    s(op.objectsPerSecond),
    s(op.rowsPerSecond),
    `all LynqNodes exist at ${s(op.nodesCreatedSeconds)} s; Ready 25/50/75/100 %: ${op.readyQuartilesSeconds.map((q) => s(q)).join(' / ')} s`,
  ]);
  if (r.ratio !== undefined) rows.push(['ratio operator / raw', s(r.ratio, 2), '', '', 'time']);
  out.push(table(rows, ['l', 'r', 'r', 'r', 'l']), '');

  if (r.steady !== undefined) {
    const w = r.steady.window;
    const opWrites = ['POST', 'PUT', 'PATCH', 'DELETE'].reduce(
      (sum, m) => sum + (w.operator?.requests[m] ?? 0),
      0,
    );
    out.push(
      `Steady state: ${s(w.seconds, 0)} s, after a ${r.steady.settleSeconds} s settle`,
      indent(
        table(
          [
            ['API server writes (every client, no leases/events)', String(w.apiWrites.total)],
            ...Object.entries(w.apiWrites.byVerbResource).map(([k, v]) => [`  ${k}`, String(v)]),
            ["operator's own requests", `${counts(w.operator?.requests)} (${opWrites} writes)`],
            [
              'operator CPU (with render processes)',
              `${s(w.operatorCpuSeconds, 2)} s = ${s(r.steady.cpuPercentOfOneCore, 2)} % of one core`,
            ],
          ],
          ['l', 'l'],
        ),
      ),
      '',
    );
  }

  const m = r.memory;
  out.push(
    `Operator memory, MiB (sampled every 250 ms; PSS: main + ${Math.max(0, m.processes - 1)} render processes, shared pages once)`,
    indent(
      table(
        [
          ['', 'RSS main', 'PSS tree'],
          ['start (after /readyz)', s(m.start.rssMiB, 0), s(m.start.pssMiB, 0)],
          ['peak', s(m.peak.rssMiB, 0), s(m.peak.pssMiB, 0)],
          ['steady (end of idle window)', s(m.steady?.rssMiB, 0), s(m.steady?.pssMiB, 0)],
        ],
        ['l', 'r', 'r'],
      ),
    ),
    '',
  );

  const lat = [r.latency.mysql, r.latency.postgres].filter((l) => l !== undefined);
  if (lat.length > 0) {
    out.push(
      'Row-change latency: UPDATE of `plan` until the ConfigMap shows it (watch)',
      indent(
        table(
          [
            ['', 'changes', 'p50', 'p95', 'max'],
            ...lat.map((l) => [
              `${l.source}, syncInterval ${l.syncInterval}`,
              String(l.changes),
              ms(l.p50Ms),
              ms(l.p95Ms),
              ms(l.maxMs),
            ]),
          ],
          ['l', 'r', 'r', 'r', 'r'],
        ),
      ),
      '',
    );
  }

  if (r.raw !== undefined) {
    out.push(
      `Raw phase: time of one SSA PATCH by kind (${String(r.options['concurrency'])} in flight)`,
      indent(
        table(
          [
            ['', 'count', 'mean ms', 'p95 ms', 'max ms'],
            ...Object.entries(r.raw.patchMsByKind).map(([kind, l]) => [
              kind,
              String(l.count),
              s(l.meanMs, 0),
              s(l.p95Ms, 0),
              s(l.maxMs, 0),
            ]),
          ],
          ['l', 'r', 'r', 'r', 'r'],
        ),
      ),
      '',
    );
  }

  const raw: Window | undefined = r.raw?.window;
  const ow = op.window;
  out.push(
    `Provisioning: API server requests by verb (every client; per row)`,
    indent(
      table(
        [
          ['', 'raw', 'operator', raw === undefined ? '' : 'operator − raw'],
          ...side(raw?.apiByVerb, ow.apiByVerb, 20).map(([k, a, b]) => [
            k,
            perRow(a, n),
            perRow(b, n),
            raw === undefined ? '' : extra(a, b, n),
          ]),
        ],
        ['l', 'r', 'r', 'r'],
      ),
    ),
    '',
    `Provisioning: API server requests by verb and resource (every client; top 30)`,
    indent(
      table(
        [
          ['', 'raw', 'operator', raw === undefined ? '' : 'operator − raw'],
          ...side(raw?.apiRequests, ow.apiRequests, 30).map(([k, a, b]) => [
            k,
            perRow(a, n),
            perRow(b, n),
            raw === undefined ? '' : extra(a, b, n),
          ]),
        ],
        ['l', 'r', 'r', 'r'],
      ),
    ),
    '',
    'Provisioning: the operator itself',
    indent(
      table(
        [
          ['requests by method', counts(ow.operator?.requests)],
          ['reconciles by controller and result', counts(ow.operator?.reconciles)],
          ['reconcile seconds (sum over workers)', counts(ow.operator?.reconcileSeconds)],
          ['mean reconcile / mean wait in queue', means(ow.operator)],
        ],
        ['l', 'l'],
      ),
    ),
    '',
    'Provisioning: CPU seconds by process',
    indent(
      table(
        [
          ['', 'raw', 'operator'],
          ...side(raw?.controlPlaneCpuSeconds, ow.controlPlaneCpuSeconds, 10).map(([k, a, b]) => [
            k,
            s(a, 1),
            s(b, 1),
          ]),
          ['operator + render processes', '', s(ow.operatorCpuSeconds, 1)],
        ],
        ['l', 'r', 'r'],
      ),
    ),
    '',
    `operator log: ${r.operatorLog}`,
  );
  return out.join('\n');
}
