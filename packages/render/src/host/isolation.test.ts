// What a render process is allowed, seen from outside (/proc) and from inside (the test-only
// diagnosis), and what happens when a render hangs, exhausts its heap or kills its process.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderNode } from './index.js';
import { diagnoseRenderHost, startRenderHostForTests, type RenderHost } from './render-host.js';
import { buildForTests } from './testdata/build.js';
import { cmdlineOf, environOf, isRunning, waitUntilGone } from './testdata/processes.js';

const FORM: LynqForm = assertParsed(
  parseForm(`
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: h
  configMaps:
    - id: c
      nameTemplate: "{{ .uid }}-c"
      spec: { apiVersion: v1, kind: ConfigMap, data: { uid: "{{ .uid }}" } }
`),
);

const node = (uid: string, hook?: 'spin' | 'allocate' | 'exit'): RenderNode => ({
  namespace: 'ns',
  variables: { uid, ...(hook ? { 'lynq-test-hook': hook } : {}) },
});

const pidsOf = (h: RenderHost) => h.stats().processes.map((p) => p.pid);

let host: RenderHost;
beforeAll(async () => {
  await buildForTests();
  host = await startRenderHostForTests({ renderTimeoutMs: 500, memoryLimitMb: 64 });
});
afterAll(() => host?.close());

describe('a render process', () => {
  it('starts with no environment but its IPC channel', () => {
    const [pid] = pidsOf(host);
    // Node's IPC channel is passed in these two variables (and removed from process.env).
    expect(
      environOf(pid!)
        .map((v) => v.split('=')[0])
        .sort(),
    ).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
  });

  it('runs under the permission model, reading only its packages, with a heap cap', () => {
    const args = cmdlineOf(pidsOf(host)[0]!);
    expect(args).toContain(
      process.allowedNodeEnvironmentFlags.has('--permission')
        ? '--permission'
        : '--experimental-permission',
    );
    expect(args).toContain('--max-old-space-size=64');
    expect(args).toContain('--disallow-code-generation-from-strings');
    const reads = args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice(16));
    expect(reads).not.toContain('*');
    expect(reads.some((p) => p.endsWith('/render/dist'))).toBe(true);
    expect(reads.some((p) => p.endsWith('/node_modules/nunjucks'))).toBe(true);
    expect(reads.some((p) => p.endsWith('/render/src') || p.endsWith('/render'))).toBe(false);
    expect(args.some((a) => /^--allow-(fs-write|child-process|worker|addons|wasi)/.test(a))).toBe(
      false,
    );
  });

  it('can neither spawn, write, read elsewhere, start workers, use the network nor eval', async () => {
    const d = await diagnoseRenderHost(host);
    expect(d.envKeys).toEqual([]);
    expect(d.probes).toEqual({
      childProcess: 'ERR_ACCESS_DENIED',
      fileWrite: 'ERR_ACCESS_DENIED',
      fileReadOutside: 'ERR_ACCESS_DENIED',
      workerThread: 'ERR_ACCESS_DENIED',
      netConnect: 'ERR_NETWORK_DISABLED',
      netListen: 'ERR_NETWORK_DISABLED',
      dnsLookup: 'ERR_NETWORK_DISABLED',
      fetch: 'Error',
      processBinding: 'ERR_ACCESS_DENIED',
      codeGeneration: 'EvalError',
      prototypeWrite: 'TypeError',
    });
  });
});

describe('the watchdog', () => {
  it('kills a render that never ends, fails that node with TIMEOUT and renders the rest', async () => {
    const before = host.stats();
    const [oldPid] = pidsOf(host);
    const list = [node('a'), node('b'), node('stuck', 'spin'), node('c'), node('d')];
    const outcomes = await host.renderNodes(FORM, list);
    expect(outcomes.map((o) => (o.ok ? o.result.resources[0]!.name : o.error.code))).toEqual([
      'a-c',
      'b-c',
      'TIMEOUT',
      'c-c',
      'd-c',
    ]);
    const failed = outcomes[2]!;
    expect(!failed.ok && failed.error.message).toMatch(
      /^node 2: the render did not finish within 500 ms .*its render process was replaced$/,
    );
    expect(!failed.ok && failed.error.nodeIndex).toBe(2);
    // The stuck process was killed (once more for the node alone) and replaced.
    expect(host.stats().replaced.TIMEOUT - before.replaced.TIMEOUT).toBeGreaterThanOrEqual(1);
    await waitUntilGone([oldPid!]);
    expect((await host.renderNodes(FORM, [node('e')]))[0]!.ok).toBe(true);
  });
});

describe('a process that dies', () => {
  it('fails the node that ran out of heap with MEMORY, and the host recovers', async () => {
    // A host with time to spare: on a loaded machine, filling the 64 MB heap can take longer
    // than the shared host's 500 ms (+1 s), and its watchdog would win the race (TIMEOUT).
    const h = await startRenderHostForTests({ renderTimeoutMs: 20_000, memoryLimitMb: 64 });
    try {
      const outcomes = await h.renderNodes(FORM, [node('a'), node('big', 'allocate'), node('b')]);
      expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['ok', 'MEMORY', 'ok']);
      const failed = outcomes[1]!;
      expect(!failed.ok && failed.error.message).toBe(
        'node 1: the render process ran out of its 64 MB heap; it was replaced',
      );
      expect(h.stats().replaced.MEMORY).toBeGreaterThan(0);
      expect((await h.renderNodes(FORM, [node('c')]))[0]!.ok).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('fails the node whose render killed the process with CRASHED', async () => {
    const outcomes = await host.renderNodes(FORM, [node('exit', 'exit'), node('a')]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual(['CRASHED', 'ok']);
    expect(!outcomes[0]!.ok && outcomes[0]!.error.message).toBe(
      'node 0: the render process exited with code 3; it was replaced',
    );
  });
});

describe('no render process outlives', () => {
  it('close()', async () => {
    const h = await startRenderHostForTests({ processes: 2, minProcesses: 2 });
    const pids = pidsOf(h);
    expect(pids).toHaveLength(2);
    const spinning = h.renderNodes(FORM, [node('x', 'spin')]);
    await h.close();
    expect((await spinning)[0]).toMatchObject({ ok: false, error: { code: 'CLOSED' } });
    expect(pids.filter(isRunning)).toEqual([]);
  });

  const script = fileURLToPath(new URL('./testdata/exiting-parent.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx');
  it.each(['exit', 'idle', 'busy', 'throw'])('its host process (%s)', async (how) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@lynq/source', '--import', tsx, script, how],
      { timeout: 60_000 },
    ).catch((err: { stdout?: string; code?: unknown }) => {
      // `throw` ends the host process with an uncaught error, as intended.
      if (how === 'throw' && err.stdout) return { stdout: err.stdout };
      throw err;
    });
    const pids = JSON.parse(stdout.trim().split('\n').pop()!) as number[];
    expect(pids.length).toBe(2);
    await waitUntilGone(pids);
  });
});
