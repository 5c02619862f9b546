// Informer initial sync over many ConfigMaps: wall time until hasSynced and the heap the cache
// holds, for full objects and for metadata-only.
import type { RestClient } from '@lynq/runtime';
import { Informer, Resources, resourcePath, silentLogger, stripManagedFields } from '@lynq/runtime';

export interface InformerFigures {
  configMaps: number;
  fullSyncSeconds: number;
  fullHeapMiB: number;
  metadataSyncSeconds: number;
  metadataHeapMiB: number;
  strippedSyncSeconds: number;
  strippedHeapMiB: number;
  createSeconds: number;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

async function syncOnce(
  client: RestClient,
  namespace: string,
  metadataOnly: boolean,
  strip = false,
) {
  const before = heapMiB();
  const informer = new Informer({
    client,
    type: Resources.ConfigMap,
    namespace,
    metadataOnly,
    logger: silentLogger,
    ...(strip ? { transform: stripManagedFields } : {}),
  });
  const start = process.hrtime.bigint();
  informer.start();
  await informer.waitForSync();
  const syncSeconds = seconds(start);
  await informer.stop();
  const heap = heapMiB() - before;
  if (informer.store.size < 1) throw new Error('informer synced nothing');
  return { syncSeconds, heap, size: informer.store.size };
}

export async function benchInformer(client: RestClient, count: number): Promise<InformerFigures> {
  const namespace = `bench-runtime-${Date.now().toString(36)}`;
  await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: namespace } },
  });
  try {
    const createStart = process.hrtime.bigint();
    const indexes = Array.from({ length: count }, (_, i) => i);
    await mapLimit(indexes, 32, async (i) => {
      await client.request({
        method: 'POST',
        path: resourcePath(Resources.ConfigMap, namespace),
        body: {
          metadata: { name: `cm-${i}`, labels: { bench: 'runtime', shard: String(i % 16) } },
          data: { index: String(i), payload: `value-${i}-${'x'.repeat(200)}` },
        },
      });
    });
    const createSeconds = seconds(createStart);
    const full = await syncOnce(client, namespace, false);
    const meta = await syncOnce(client, namespace, true);
    const stripped = await syncOnce(client, namespace, false, true);
    if (full.size !== count || meta.size !== count || stripped.size !== count) {
      throw new Error(`expected ${count} objects, got ${full.size} / ${meta.size}`);
    }
    return {
      configMaps: count,
      createSeconds: round(createSeconds),
      fullSyncSeconds: round(full.syncSeconds),
      fullHeapMiB: round(full.heap),
      metadataSyncSeconds: round(meta.syncSeconds),
      metadataHeapMiB: round(meta.heap),
      strippedSyncSeconds: round(stripped.syncSeconds),
      strippedHeapMiB: round(stripped.heap),
    };
  } finally {
    // deletecollection first: works without a namespace controller (profile api).
    await client.request({ method: 'DELETE', path: resourcePath(Resources.ConfigMap, namespace) });
    await client.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
