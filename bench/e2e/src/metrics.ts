// Request counters: the API server's own `apiserver_request_total` (every client) and the
// operator's `/metrics` (what it sent itself, how often it reconciled).
import type { RestClient } from '@lynq/runtime';

/** verb → "group/resource[/subresource]" (core group: "resource") → count. */
export type RequestCounts = Map<string, Map<string, number>>;

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(LABEL)) out[m[1] ?? ''] = m[2] ?? '';
  return out;
}

/** `name{labels} value` lines of one metric family in Prometheus text. */
function* samples(text: string, name: string): Generator<[Record<string, string>, number]> {
  const prefix = `${name}{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.lastIndexOf('}');
    yield [
      labels(line.slice(prefix.length, close)),
      Number(
        line
          .slice(close + 1)
          .trim()
          .split(' ')[0],
      ),
    ];
  }
}

/** GET /metrics of the API server with the kubeconfig's (admin) credentials. */
export async function apiServerRequests(rest: RestClient): Promise<RequestCounts> {
  const res = await rest.stream({ path: '/metrics', timeoutMs: 30_000 });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const counts: RequestCounts = new Map();
  for (const [l, value] of samples(
    Buffer.concat(chunks).toString('utf8'),
    'apiserver_request_total',
  )) {
    const verb = l['verb'] ?? '';
    const resource = [l['group'] ?? '', l['resource'] ?? '', l['subresource'] ?? '']
      .filter((part, i) => part !== '' || i === 1)
      .join('/');
    let byResource = counts.get(verb);
    if (byResource === undefined) counts.set(verb, (byResource = new Map()));
    byResource.set(resource, (byResource.get(resource) ?? 0) + value);
  }
  return counts;
}

export function delta(after: RequestCounts, before: RequestCounts): RequestCounts {
  const out: RequestCounts = new Map();
  for (const [verb, byResource] of after) {
    const diff = new Map<string, number>();
    for (const [resource, value] of byResource) {
      const d = value - (before.get(verb)?.get(resource) ?? 0);
      if (d > 0) diff.set(resource, d);
    }
    if (diff.size > 0) out.set(verb, diff);
  }
  return out;
}

/** Verbs that change something (SSA shows as APPLY). */
export const WRITE_VERBS: ReadonlySet<string> = new Set([
  'POST',
  'PUT',
  'PATCH',
  'APPLY',
  'DELETE',
  'DELETECOLLECTION',
]);

/** Leases (heartbeats) and events are bookkeeping, not the objects under test. */
export const isBookkeeping = (resource: string) =>
  resource === 'coordination.k8s.io/leases' ||
  resource === 'events' ||
  resource === 'events.k8s.io/events';

export interface WriteSummary {
  total: number;
  /** "VERB resource" → count, largest first. */
  byVerbResource: Record<string, number>;
}

export function writes(counts: RequestCounts): WriteSummary {
  const entries: [string, number][] = [];
  for (const [verb, byResource] of counts) {
    if (!WRITE_VERBS.has(verb)) continue;
    for (const [resource, value] of byResource)
      if (!isBookkeeping(resource)) entries.push([`${verb} ${resource}`, value]);
  }
  entries.sort((a, b) => b[1] - a[1]);
  return {
    total: entries.reduce((sum, [, v]) => sum + v, 0),
    byVerbResource: Object.fromEntries(entries),
  };
}

/** Every request, as "VERB resource" → count, largest first. */
export function flatten(counts: RequestCounts): Record<string, number> {
  const entries: [string, number][] = [];
  for (const [verb, byResource] of counts)
    for (const [resource, value] of byResource) entries.push([`${verb} ${resource}`, value]);
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]));
}

export function byVerb(counts: RequestCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [verb, byResource] of counts)
    out[verb] = [...byResource.values()].reduce((a, b) => a + b, 0);
  return out;
}

/** The operator's own figures, from its /metrics. */
export interface OperatorCounters {
  /** lynq_rest_client_requests_total by method. */
  requests: Record<string, number>;
  /** controller_runtime_reconcile_total by "controller result". */
  reconciles: Record<string, number>;
  /** controller_runtime_reconcile_time_seconds_sum by controller. */
  reconcileSeconds: Record<string, number>;
  /** controller_runtime_reconcile_time_seconds_count by controller. */
  reconcileCount: Record<string, number>;
  /** workqueue_queue_duration_seconds_sum by queue: time keys waited for a worker. */
  queueWaitSeconds: Record<string, number>;
  /** workqueue_queue_duration_seconds_count by queue. */
  queueWaitCount: Record<string, number>;
}

export async function operatorCounters(metricsUrl: string): Promise<OperatorCounters> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${metricsUrl}: ${res.status}`);
  const out: OperatorCounters = {
    requests: {},
    reconciles: {},
    reconcileSeconds: {},
    reconcileCount: {},
    queueWaitSeconds: {},
    queueWaitCount: {},
  };
  const add = (map: Record<string, number>, key: string, value: number) => {
    map[key] = (map[key] ?? 0) + value;
  };
  for (const [l, v] of samples(text, 'lynq_rest_client_requests_total'))
    add(out.requests, l['method'] ?? '', v);
  for (const [l, v] of samples(text, 'controller_runtime_reconcile_total'))
    add(out.reconciles, `${l['controller'] ?? ''} ${l['result'] ?? ''}`, v);
  for (const [l, v] of samples(text, 'controller_runtime_reconcile_time_seconds_sum'))
    add(out.reconcileSeconds, l['controller'] ?? '', v);
  for (const [l, v] of samples(text, 'controller_runtime_reconcile_time_seconds_count'))
    add(out.reconcileCount, l['controller'] ?? '', v);
  for (const [l, v] of samples(text, 'workqueue_queue_duration_seconds_sum'))
    add(out.queueWaitSeconds, l['name'] ?? '', v);
  for (const [l, v] of samples(text, 'workqueue_queue_duration_seconds_count'))
    add(out.queueWaitCount, l['name'] ?? '', v);
  return out;
}

function subtract(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) {
    const d = v - (b[k] ?? 0);
    if (d !== 0) out[k] = Number(d.toFixed(3));
  }
  return out;
}

export function operatorDelta(after: OperatorCounters, before: OperatorCounters): OperatorCounters {
  return {
    requests: subtract(after.requests, before.requests),
    reconciles: subtract(after.reconciles, before.reconciles),
    reconcileSeconds: subtract(after.reconcileSeconds, before.reconcileSeconds),
    reconcileCount: subtract(after.reconcileCount, before.reconcileCount),
    queueWaitSeconds: subtract(after.queueWaitSeconds, before.queueWaitSeconds),
    queueWaitCount: subtract(after.queueWaitCount, before.queueWaitCount),
  };
}
