// What an operator process says about its own requests and reconciles (its /metrics).
import { Metrics } from '@lynq/api';
import { scrapeMetrics, type OperatorProcess } from '../harness/index.js';

export interface Writes {
  POST: number;
  PUT: number;
  PATCH: number;
  DELETE: number;
  total: number;
}

/** Requests by method this process has sent (retries included). */
export async function writesOf(op: OperatorProcess): Promise<Writes> {
  const m = await scrapeMetrics(op.metricsUrl);
  const by = (method: string) => m.value(Metrics.RestClientRequestsTotal, { method }) ?? 0;
  const w = { POST: by('POST'), PUT: by('PUT'), PATCH: by('PATCH'), DELETE: by('DELETE') };
  return { ...w, total: w.POST + w.PUT + w.PATCH + w.DELETE };
}

export function minus(a: Writes, b: Writes): Writes {
  return {
    POST: a.POST - b.POST,
    PUT: a.PUT - b.PUT,
    PATCH: a.PATCH - b.PATCH,
    DELETE: a.DELETE - b.DELETE,
    total: a.total - b.total,
  };
}

export const describeWrites = (w: Writes) =>
  `${w.total} writes (POST ${w.POST}, PUT ${w.PUT}, PATCH ${w.PATCH}, DELETE ${w.DELETE})`;
