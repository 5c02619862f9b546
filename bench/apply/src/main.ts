// npm run bench [-- --count 3000 --concurrency 32 --rounds 3 --settle-ms 3000]
// Server-Side Apply of N ConfigMaps in one batch through @lynq/apply, compared with bare loops of
// SSA PATCH requests at the same concurrency; then the library's batch again, unchanged.
import { Annotations } from '@lynq/api';
import { KubeConfig } from '@kubernetes/client-node';
import { appliedHash, Applier, KubeClient, mapWithConcurrency, type KubeObject } from '@lynq/apply';
import { ensureControlPlane, uniqueName } from '@lynq/testkit';
import { barePatcher, type BarePatcher } from './bare-patch.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

const count = option('count', 3000);
const concurrency = option('concurrency', 32);
const rounds = option('rounds', 3);
const settleMs = option('settle-ms', 3000);

function configMaps(namespace: string): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, namespace, labels: { bench: 'apply' } },
    data: { index: String(i), payload: `value-${i}-${'x'.repeat(64)}` },
  }));
}

/** What the library sends for a new object: the bookkeeping annotations added (computed up front). */
function withLynqAnnotations(objects: KubeObject[]): KubeObject[] {
  const start = new Date().toISOString();
  return objects.map((obj) => ({
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        [Annotations.AppliedHash]: appliedHash(obj),
        [Annotations.ApplyStartTime]: start,
      },
    },
  }));
}

async function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
  return name;
}

/** deletecollection + namespace delete: works without a namespace controller (profile api). */
async function dropNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}/configmaps` });
  await client.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` });
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Creates per second over all rounds together (each round creates the same number). */
function overall(rates: number[]): number {
  return rates.length / rates.reduce((sum, rate) => sum + 1 / rate, 0);
}

async function bareLoop(bare: BarePatcher, objects: KubeObject[]): Promise<void> {
  await mapWithConcurrency(objects, concurrency, (cm) =>
    bare.patch(
      `/api/v1/namespaces/${cm.metadata.namespace ?? ''}/configmaps/${cm.metadata.name ?? ''}`,
      cm,
    ),
  );
}

type Side = 'library' | 'bareSameBody' | 'barePlain';

async function main(): Promise<void> {
  const plane = await ensureControlPlane({ profile: 'api' });
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  const client = await KubeClient.fromKubeConfig(kc, { maxSockets: concurrency });
  const applier = new Applier(client);
  const bare = await barePatcher(kc, concurrency);
  const namespaces: string[] = [];
  const fresh = async (prefix: string) => {
    const ns = await createNamespace(client, prefix);
    namespaces.push(ns);
    return ns;
  };
  try {
    // Warm-up: connections, discovery, API server caches.
    const warm = await fresh('bench-warm');
    await bareLoop(bare, configMaps(warm).slice(0, 300));
    await applier.applyBatch(configMaps(warm).slice(300, 600), { concurrency });

    const rates: Record<Side, number[]> = { library: [], bareSameBody: [], barePlain: [] };
    // This process's CPU time per side: the client-side cost, which the server's noise does not blur.
    const cpuMicros: Record<Side, number> = { library: 0, bareSameBody: 0, barePlain: 0 };
    let libraryNs = '';
    const run: Record<Side, () => Promise<void>> = {
      library: async () => {
        libraryNs = await fresh('bench-lib');
        const objects = configMaps(libraryNs);
        const start = process.hrtime.bigint();
        const results = await applier.applyBatch(objects, { concurrency });
        const elapsed = seconds(start);
        const failed = results.filter((r) => !r.ok || r.result.action !== 'created');
        if (failed.length > 0) {
          throw new Error(
            `${failed.length} library applies did not create: ${JSON.stringify(failed[0])}`,
          );
        }
        rates.library.push(count / elapsed);
      },
      bareSameBody: async () => {
        const objects = withLynqAnnotations(configMaps(await fresh('bench-bare')));
        const start = process.hrtime.bigint();
        await bareLoop(bare, objects);
        rates.bareSameBody.push(count / seconds(start));
      },
      barePlain: async () => {
        const objects = configMaps(await fresh('bench-plain'));
        const start = process.hrtime.bigint();
        await bareLoop(bare, objects);
        rates.barePlain.push(count / seconds(start));
      },
    };
    // Rotate the order every round, so no side always follows the same one.
    const order: Side[] = ['library', 'bareSameBody', 'barePlain'];
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < order.length; k++) {
        // Let the API server and etcd finish the previous side's work.
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        const side = order[(round + k) % order.length] as Side;
        const cpu = process.cpuUsage();
        await run[side]();
        const used = process.cpuUsage(cpu);
        cpuMicros[side] += used.user + used.system;
      }
    }

    const before = client.stats();
    const start = process.hrtime.bigint();
    const unchanged = await applier.applyBatch(configMaps(libraryNs), { concurrency });
    const unchangedSeconds = seconds(start);
    const after = client.stats();
    const notUnchanged = unchanged.filter((r) => !r.ok || r.result.action !== 'unchanged').length;

    const library = overall(rates.library);
    const sameBody = overall(rates.bareSameBody);
    const plain = overall(rates.barePlain);
    const figures = {
      objects: count,
      concurrency,
      rounds,
      libraryCreatesPerSecond: Math.round(library),
      bareSameBodyCreatesPerSecond: Math.round(sameBody),
      barePlainCreatesPerSecond: Math.round(plain),
      ratio: Number((library / sameBody).toFixed(3)),
      ratioToPlainBodies: Number((library / plain).toFixed(3)),
      clientCpuMsPer1000: {
        library: Math.round(cpuMicros.library / rounds / count),
        bareSameBody: Math.round(cpuMicros.bareSameBody / rounds / count),
        barePlain: Math.round(cpuMicros.barePlain / rounds / count),
      },
      unchangedPassSeconds: Number(unchangedSeconds.toFixed(2)),
      unchangedPassWrites: after.writes - before.writes,
      unchangedPassRequests: after.total - before.total,
      unchangedPassNotUnchanged: notUnchanged,
    };
    const perRound = (side: Side) => rates[side].map(Math.round).join(', ');
    console.log(
      `SSA of ${count} ConfigMaps in one batch, concurrency ${concurrency}, ${rounds} rounds`,
    );
    console.log(
      `  @lynq/apply applyBatch                ${figures.libraryCreatesPerSecond} creates/s  (${perRound('library')})`,
    );
    console.log(
      `  bare PATCH loop, same bodies          ${figures.bareSameBodyCreatesPerSecond} creates/s  (${perRound('bareSameBody')})`,
    );
    console.log(
      `  bare PATCH loop, without Lynq's annotations ${figures.barePlainCreatesPerSecond} creates/s  (${perRound('barePlain')})`,
    );
    console.log(`  ratio library / bare (same bodies)    ${figures.ratio}  (target >= 0.9)`);
    console.log(`  ratio library / bare (plain bodies)   ${figures.ratioToPlainBodies}`);
    const cpu = figures.clientCpuMsPer1000;
    console.log(
      `  client CPU per 1000 objects           library ${cpu.library} ms, bare ${cpu.bareSameBody} ms (same bodies), ${cpu.barePlain} ms (plain)`,
    );
    console.log(
      `  unchanged pass                        ${figures.unchangedPassWrites} writes (target 0), ${figures.unchangedPassRequests} requests, ${figures.unchangedPassSeconds} s`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    for (const ns of namespaces) {
      await dropNamespace(client, ns).catch((err: unknown) => console.error(`cleanup ${ns}:`, err));
    }
    bare.close();
    client.close();
    await plane.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
