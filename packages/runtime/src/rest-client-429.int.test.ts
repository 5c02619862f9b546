// A real 429 from the API server: evicting the only Ready pod a PodDisruptionBudget guards. Needs
// the `full` profile (scheduler and kwok make the pod Ready, the disruption controller fills in the
// budget's status).
import { useTestNamespace, waitFor } from '@lynq/testkit';
import { describe, expect, inject, it } from 'vitest';
import { KubeApiError, KubeTransportError } from './errors.js';
import { RestClient } from './rest-client.js';

const full = inject('lynqProfile') === 'full';

describe.skipIf(!full)('RestClient on 429 Too Many Requests', () => {
  const ns = useTestNamespace({ prefix: 'runtime-429' });

  async function guardedPod(client: RestClient): Promise<string> {
    const base = `/api/v1/namespaces/${ns.name}`;
    await client.request({
      method: 'POST',
      path: `${base}/pods`,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'guarded', labels: { app: 'guarded' } },
        spec: { containers: [{ name: 'c', image: 'registry.example/c:1' }] },
      },
    });
    await client.request({
      method: 'POST',
      path: `/apis/policy/v1/namespaces/${ns.name}/poddisruptionbudgets`,
      body: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'guard' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
      },
    });
    await waitFor(
      'the budget to guard one healthy pod',
      async () => {
        const pdb = await client.request<{
          status?: { currentHealthy?: number; disruptionsAllowed?: number };
        }>({ path: `/apis/policy/v1/namespaces/${ns.name}/poddisruptionbudgets/guard` });
        return pdb.status?.currentHealthy === 1 && pdb.status.disruptionsAllowed === 0;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    return `${base}/pods/guarded/eviction`;
  }

  const eviction = (path: string, signal?: AbortSignal) => ({
    method: 'POST' as const,
    path,
    body: {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'guarded', namespace: ns.name },
    },
    signal,
  });

  it('gives up waiting for Retry-After as soon as the request is aborted', async () => {
    const client = new RestClient(ns.kubeConfig, { maxRetriesOn429: 3 });
    try {
      const path = await guardedPod(client);

      const strict = new RestClient(ns.kubeConfig, { maxRetriesOn429: 0 });
      const refused = await strict.request(eviction(path)).catch((e: unknown) => e);
      strict.close();
      expect(refused).toBeInstanceOf(KubeApiError);
      expect((refused as KubeApiError).status).toBe(429);

      // With retries, each wait is at least a second; the abort comes after 200 ms.
      const started = Date.now();
      const aborted = await client
        .request(eviction(path, AbortSignal.timeout(200)))
        .catch((e: unknown) => e);
      const tookMs = Date.now() - started;
      expect(aborted).toBeInstanceOf(KubeTransportError);
      expect(tookMs).toBeLessThan(900);
    } finally {
      client.close();
    }
  });
});
