// Work queue throughput: how many requests per second a controller with a no-op reconcile gets
// through, with metrics on (as in production), and the bare queue without a controller.
import { Registry } from 'prom-client';
import { Controller, RuntimeMetrics, WorkQueue, silentLogger } from '@lynq/runtime';

export interface QueueFigures {
  items: number;
  workers: number;
  controllerItemsPerSecond: number;
  bareQueueItemsPerSecond: number;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function controllerRun(items: number, workers: number): Promise<number> {
  const metrics = RuntimeMetrics.for(new Registry());
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const controller = new Controller({
    name: 'bench',
    workers,
    logger: silentLogger,
    metrics: metrics.controller('bench'),
    queueMetrics: metrics.queue('bench'),
    reconcile: () => {
      if (++done === items) finish();
    },
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < items; i++) controller.enqueue({ namespace: 'bench', name: `item-${i}` });
  controller.start();
  await finished;
  const s = seconds(start);
  await controller.stop();
  return items / s;
}

async function bareQueueRun(items: number): Promise<number> {
  const q = new WorkQueue();
  const start = process.hrtime.bigint();
  for (let i = 0; i < items; i++) q.add(`bench/item-${i}`);
  for (let n = 0; n < items; n++) {
    const key = await q.get();
    if (key === undefined) throw new Error('queue shut down early');
    q.done(key);
  }
  return items / seconds(start);
}

export async function benchQueue(items: number, workers: number): Promise<QueueFigures> {
  await controllerRun(Math.min(items, 20_000), workers); // warm-up (JIT)
  const rates: number[] = [];
  for (let round = 0; round < 3; round++) rates.push(await controllerRun(items, workers));
  const bare: number[] = [];
  for (let round = 0; round < 3; round++) bare.push(await bareQueueRun(items));
  return {
    items,
    workers,
    controllerItemsPerSecond: Math.round(median(rates)),
    bareQueueItemsPerSecond: Math.round(median(bare)),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
