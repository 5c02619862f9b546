// Test hook of the render process: tries each thing a template that escaped the engine would try,
// and reports what stopped it. Reached only when the host started the process with testHooks.
import { spawnSync } from 'node:child_process';
import dns from 'node:dns';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Diagnosis } from './protocol.js';

function probe(attempt: () => unknown): string {
  try {
    attempt();
    return 'allowed';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? code : err instanceof Error ? err.name : String(err);
  }
}

export function diagnose(): Diagnosis {
  const probes: Record<string, string> = {
    childProcess: probe(() => spawnSync('/bin/sh', ['-c', 'true'])),
    fileWrite: probe(() => writeFileSync('/tmp/lynq-render-probe', 'x')),
    fileReadOutside: probe(() => readFileSync('/etc/hostname')),
    workerThread: probe(() => new Worker('process.exit(0)', { eval: true })),
    netConnect: probe(() => net.connect({ host: '127.0.0.1', port: 9 }).destroy()),
    netListen: probe(() => net.createServer().listen(0).close()),
    dnsLookup: probe(() => dns.lookup('localhost', () => undefined)),
    fetch: probe(() => {
      if (typeof globalThis.fetch !== 'function') throw new Error('fetch is not defined');
    }),
    processBinding: probe(() =>
      (process as unknown as { binding(name: string): unknown }).binding('fs'),
    ),
    codeGeneration: probe(() => new Function('return 1')),
    prototypeWrite: probe(() => {
      (Object.prototype as Record<string, unknown>).polluted = 'yes';
      if (!('polluted' in {})) throw new TypeError('Object.prototype is frozen');
    }),
  };
  return { envKeys: Object.keys(process.env), execArgv: process.execArgv, probes };
}
