// Renders a 6-resource form for 10,000 rows through @lynq/render, in-process and through the
// isolated render host (@lynq/render/host), and prints time, rows/s and peak memory of both.
import os from 'node:os';
import { assertParsed, parseForm } from '@lynq/api';
import { buildVariables, compileForm, validateTemplates } from '@lynq/render';
import { RenderHost } from '@lynq/render/host';
import { BENCH_FORM } from './form.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? Math.min(2, os.availableParallelism()));
const TARGET_MS = 2000;
const PLANS = ['basic', 'pro', 'enterprise', ''];

const form = assertParsed(parseForm(BENCH_FORM, { checks: [validateTemplates] }));
const rows = Array.from({ length: ROWS }, (_x, i) =>
  buildVariables({
    uid: `tenant-${String(i).padStart(5, '0')}`,
    hubId: 'tenants',
    templateRef: 'tenant-stack',
    extra: {
      planId: PLANS[i % PLANS.length]!,
      deployImage: i % 3 ? `registry.example.com/app:${i % 10}.0` : '',
      region: i % 2 ? 'US-EAST-1' : '',
      domain: `https://t${i}.example.com:8443/`,
      replicas: String(1 + (i % 4)),
      maxUsers: String(100 * (i % 7)),
    },
  }),
);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const cpu = process.cpuUsage(since);
  return (cpu.user + cpu.system) / 1000;
};

interface Figures {
  totalMs: number;
  resources: number;
  errors: number;
}

function report(name: string, f: Figures, extra: string[]): void {
  console.log(
    `${name}: ${ROWS} rows × 6 resources = ${f.resources} manifests (${f.errors} errors)`,
  );
  console.log(
    `  total:         ${f.totalMs.toFixed(0)} ms (target < ${TARGET_MS} ms: ${f.totalMs < TARGET_MS ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  throughput:    ${Math.round(ROWS / (f.totalMs / 1000))} rows/s, ${Math.round(f.resources / (f.totalMs / 1000))} manifests/s`,
  );
  for (const line of extra) console.log(`  ${line}`);
}

// ---- in-process ----
function inProcess(): Figures {
  let peakHeap = process.memoryUsage().heapUsed;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const compiled = compileForm(form);
  const compileMs = performance.now() - start;
  let resources = 0;
  let errors = 0;
  for (let i = 0; i < rows.length; i++) {
    const result = compiled.render(rows[i]!, { namespace: 'tenants' });
    resources += result.resources.length;
    errors += result.errors.length;
    if (i % 500 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const totalMs = performance.now() - start;
  const cpu = cpuMs(cpuStart);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const figures = { totalMs, resources, errors };
  report('in-process', figures, [
    `compile form:  ${compileMs.toFixed(1)} ms`,
    `cpu time:      ${cpu.toFixed(0)} ms`,
    `peak heap:     ${mb(peakHeap)}`,
  ]);
  return figures;
}

// ---- isolated: render host processes ----
async function isolated(): Promise<Figures> {
  const startAt = performance.now();
  // Every process started up front: the figure is rendering, not starting processes on demand.
  const host = await RenderHost.start({ processes: PROCESSES, minProcesses: PROCESSES });
  const startMs = performance.now() - startAt;
  try {
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    const childCpuBefore = new Map(host.stats().processes.map((c) => [c.pid, c.usage?.cpuMs ?? 0]));
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const outcomes = await host.renderNodes(
      form,
      rows.map((variables) => ({ variables, namespace: 'tenants' })),
    );
    const totalMs = performance.now() - start;
    const cpu = cpuMs(cpuStart);
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    let resources = 0;
    let errors = 0;
    for (const o of outcomes) {
      if (!o.ok) throw o.error;
      resources += o.result.resources.length;
      errors += o.result.errors.length;
    }
    const figures = { totalMs, resources, errors };
    const children = host.stats().processes;
    report(`isolated (${PROCESSES} render processes)`, figures, [
      `host start:    ${startMs.toFixed(0)} ms (once per host, not in total)`,
      `parent cpu:    ${cpu.toFixed(0)} ms (receiving and decoding results)`,
      `parent heap:   ${mb(peakHeap)} peak (all ${ROWS} results held at once)`,
      ...children.map(
        (c) =>
          `child ${c.pid}: ${c.rendered} rows, cpu ${((c.usage?.cpuMs ?? 0) - (childCpuBefore.get(c.pid) ?? 0)).toFixed(0)} ms, ` +
          `peak heap ${mb(c.usage?.peakHeapUsedBytes ?? 0)}, peak rss ${mb(c.usage?.maxRssBytes ?? 0)}`,
      ),
    ]);
    return figures;
  } finally {
    await host.close();
  }
}

const direct = inProcess();
const hosted = await isolated();
console.log(
  `isolation cost: ×${(hosted.totalMs / direct.totalMs).toFixed(2)} wall time ` +
    `(load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} CPUs; wall times include waiting for a shared CPU)`,
);
if (direct.errors + hosted.errors > 0 || direct.resources !== hosted.resources)
  process.exitCode = 1;
