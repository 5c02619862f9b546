// Renders a 6-resource form for 10,000 rows through @lynq/render and prints rows/s and peak heap.
import os from 'node:os';
import { assertParsed, parseForm } from '@lynq/api';
import { buildVariables, compileForm, validateTemplates } from '@lynq/render';
import { BENCH_FORM } from './form.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
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
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`render: ${ROWS} rows × 6 resources = ${resources} manifests (${errors} errors)`);
console.log(`  compile form:  ${compileMs.toFixed(1)} ms`);
console.log(
  `  total:         ${totalMs.toFixed(0)} ms (target < ${TARGET_MS} ms: ${totalMs < TARGET_MS ? 'met' : 'MISSED'})`,
);
console.log(
  `  cpu time:      ${cpuMs.toFixed(0)} ms (wall time above includes waiting for a shared CPU; load average ${os.loadavg()[0]!.toFixed(1)})`,
);
console.log(
  `  throughput:    ${Math.round(ROWS / (totalMs / 1000))} rows/s, ${Math.round(resources / (totalMs / 1000))} manifests/s`,
);
console.log(`  peak heap:     ${mb(peakHeap)}`);
if (errors > 0) process.exitCode = 1;
