// npm run bench [-- --configmaps 20000 --items 200000 --workers 1 --skip-informer]
// Prints the figures as JSON lines on stdout.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { RestClient } from '@lynq/runtime';
import { ensureControlPlane } from '@lynq/testkit';
import { benchInformer } from './informer.js';
import { benchQueue } from './queue.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    process.stderr.write('note: run with node --expose-gc (npm run bench does) for heap figures\n');
  }
  const queue = await benchQueue(option('items', 200_000), option('workers', 1));
  process.stdout.write(`${JSON.stringify({ bench: 'queue', ...queue, target: 50_000 })}\n`);

  if (process.argv.includes('--skip-informer')) return;
  // Its own control plane unless told otherwise: 20,000 objects do not belong in the shared one.
  if ((process.env['LYNQ_TEST_KUBECONFIG'] ?? '') === '') {
    process.env['LYNQ_CLUSTER_DIR'] ??= join(homedir(), '.cache', 'lynq', 'cluster-runtime');
  }
  const plane = await ensureControlPlane({ profile: 'api' });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    const client = new RestClient(kc);
    const informer = await benchInformer(client, option('configmaps', 20_000));
    client.close();
    // Requests the whole run sent (creating the objects included), from the client's counters.
    const requests = client.stats();
    process.stdout.write(
      `${JSON.stringify({ bench: 'informer', ...informer, requests: requests.total, writes: requests.writes })}\n`,
    );
  } finally {
    await plane.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
