// The API server's own view: its /metrics (apiserver_request_total by verb, resource and code),
// read with the admin credentials of the test kubeconfig.
import { parseMetrics, type Kube, type Scrape } from '../harness/index.js';

export async function apiServerMetrics(kube: Kube): Promise<Scrape> {
  const res = await kube.rest.stream({ path: '/metrics', timeoutMs: 20_000 });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return parseMetrics(Buffer.concat(chunks).toString('utf8'));
}

/** Sum of apiserver_request_total over the samples matching `labels`, by a predicate on the code. */
export function requests(
  m: Scrape,
  labels: Record<string, string>,
  code: (code: string) => boolean = () => true,
): number {
  return m
    .find('apiserver_request_total', labels)
    .filter((s) => code(s.labels.find(([k]) => k === 'code')?.[1] ?? ''))
    .reduce((n, s) => n + s.value, 0);
}

/** Write verbs as apiserver_request_total spells them (server-side apply is APPLY). */
export const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE'] as const;
