// The elastic pool of RenderHost, with real render processes: it starts minProcesses, grows to
// processes while work waits, stops idle processes above the minimum, keeps a render that hangs
// from holding up the others, and with minProcesses === processes never grows or shrinks.
import { readFileSync } from 'node:fs';
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVariables } from '../variables.js';
import { RenderHost, RenderHostOptionError, type RenderNode, type RenderOutcome } from './index.js';
import { startRenderHostForTests } from './render-host.js';
import { buildForTests } from './testdata/build.js';
import { isRunning, waitUntilGone } from './testdata/processes.js';

const seedForm: LynqForm = assertParsed(
  parseForm(readFileSync(new URL('../testdata/seed-form.yaml', import.meta.url), 'utf8')),
);

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

const rows = (n: number): RenderNode[] =>
  Array.from({ length: n }, (_x, i) => ({
    namespace: 'ns',
    variables: buildVariables({
      uid: `tenant-${i}`,
      hubId: 'h',
      templateRef: 'web-app',
      extra: { planId: 'pro', deployImage: `img:${i}` },
    }),
  }));

/** `block` hangs the render (until the watchdog) without using a CPU, unlike `spin`. */
const node = (uid: string, hook?: 'block'): RenderNode => ({
  namespace: 'ns',
  variables: { uid, ...(hook ? { 'lynq-test-hook': hook } : {}) },
});

const names = (outcomes: RenderOutcome[]) =>
  outcomes.map((o) => (o.ok ? o.result.resources[0]!.name : o.error.code));

const pidsOf = (h: RenderHost) => h.stats().processes.map((p) => p.pid);

/** Resolves when `condition` holds; rejects after `timeoutMs`, saying what it waited for. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `p`, or a rejection naming `what` if it has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Whether `p` has settled, without waiting for it. */
function settledFlag(p: Promise<unknown>): () => boolean {
  let settled = false;
  void p.finally(() => (settled = true));
  return () => settled;
}

beforeAll(() => buildForTests());

describe('RenderHost, elastic', () => {
  it('starts minProcesses, grows to processes under a burst, and shrinks back when idle', async () => {
    const h = await RenderHost.start({ processes: 3, minProcesses: 1, idleProcessMs: 300 });
    const seen = new Set<number>();
    try {
      expect(h.stats()).toMatchObject({ live: 1, started: 1, startedOnDemand: 0, stoppedIdle: 0 });
      const [first] = pidsOf(h);
      // 2,000 rows are 8 batches: one goes to the process there is, the rest wait, and two more
      // processes are started for them at once.
      const pending = h.renderNodes(seedForm, rows(2000));
      expect(h.stats()).toMatchObject({ live: 3, started: 3, startedOnDemand: 2 });
      for (const pid of pidsOf(h)) seen.add(pid);
      const outcomes = await pending;
      expect(outcomes.every((o) => o.ok)).toBe(true);
      // A form goes to each process that renders it, once.
      const rendering = h.stats().processes.filter((p) => p.rendered > 0).length;
      expect(h.stats().formsSent).toBeLessThanOrEqual(3);
      expect(h.stats().formsSent).toBeGreaterThanOrEqual(rendering);

      await until('the pool is back at minProcesses', () => h.stats().live === 1);
      expect(h.stats()).toMatchObject({ live: 1, stoppedIdle: 2, started: 3 });
      const stopped = [...seen].filter((pid) => !pidsOf(h).includes(pid));
      expect(stopped).toHaveLength(2);
      // The oldest stays (its forms compiled, its code warm); the others were stopped by closing
      // their channel, well before the 5 s after which they would be killed.
      expect(pidsOf(h)).toEqual([first]);
      await waitUntilGone(stopped, 4000);

      // And it grows again; a process started anew is sent the form (its cache is empty), the
      // one that stayed is not.
      const [survivor] = pidsOf(h);
      const sentBefore = h.stats().formsSent;
      const again = h.renderNodes(seedForm, rows(2000));
      expect(h.stats()).toMatchObject({ live: 3, startedOnDemand: 4 });
      for (const pid of pidsOf(h)) seen.add(pid);
      expect((await again).every((o) => o.ok)).toBe(true);
      const newRendering = h.stats().processes.filter((p) => p.pid !== survivor && p.rendered > 0);
      expect(h.stats().formsSent - sentBefore).toBe(newRendering.length);
    } finally {
      await h.close();
    }
    // close() leaves no process behind, started on demand or not.
    expect([...seen].filter(isRunning)).toEqual([]);
  }, 90_000);

  it('never stops a process that is working, however long its render takes', async () => {
    const h = await startRenderHostForTests({
      processes: 2,
      minProcesses: 1,
      idleProcessMs: 1500,
      renderTimeoutMs: 3000,
    });
    try {
      // The first process hangs; a second is started for `a`, renders it and idles: its idle
      // timer runs. Then it is given a render that hangs far beyond the rest of its idle time.
      const one = h.renderNodes(FORM, [node('x', 'block')]);
      expect(names(await h.renderNodes(FORM, [node('a')]))).toEqual(['a-c']);
      expect(h.stats()).toMatchObject({ live: 2, startedOnDemand: 1 });
      const two = h.renderNodes(FORM, [node('y', 'block')]);
      // Each render ends by the watchdog (TIMEOUT), not by the pool stopping its process
      // (which would leave it unanswered).
      const settled = await within(Promise.all([one, two]), 20_000, 'the renders that hang');
      expect(names(settled.flat())).toEqual(['TIMEOUT', 'TIMEOUT']);
      expect(h.stats()).toMatchObject({ stoppedIdle: 0, replaced: { TIMEOUT: 2 } });
      // Nothing waits any more: a process is started again only up to minProcesses.
      expect(h.stats().live).toBe(1);
      expect(names(await h.renderNodes(FORM, [node('z')]))).toEqual(['z-c']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('starts a second process for other renders while one hangs until its timeout', async () => {
    const h = await startRenderHostForTests({
      processes: 2,
      minProcesses: 1,
      renderTimeoutMs: 4000,
    });
    try {
      const stuck = h.renderNodes(FORM, [node('stuck', 'block')]);
      const stuckSettled = settledFlag(stuck);
      // Five rows are three batches: none may wait behind the render that hangs.
      const others = await h.renderNodes(
        FORM,
        ['a', 'b', 'c', 'd', 'e'].map((u) => node(u)),
      );
      expect(stuckSettled()).toBe(false);
      expect(names(others)).toEqual(['a-c', 'b-c', 'c-c', 'd-c', 'e-c']);
      expect(h.stats()).toMatchObject({ live: 2, startedOnDemand: 1 });
      const [outcome] = await stuck;
      expect(names([outcome!])).toEqual(['TIMEOUT']);
      expect(!outcome!.ok && outcome!.error.message).toMatch(
        /^node 0: the render did not finish within 4000 ms/,
      );
    } finally {
      await h.close();
    }
  }, 60_000);

  it('with minProcesses === processes, keeps its processes as before: none started or stopped', async () => {
    const h = await startRenderHostForTests({
      processes: 2,
      minProcesses: 2,
      idleProcessMs: 50,
      renderTimeoutMs: 1000,
    });
    try {
      expect(h.stats()).toMatchObject({ live: 2, started: 2 });
      const [stuckPid, otherPid] = pidsOf(h);
      const stuck = h.renderNodes(FORM, [node('stuck', 'block')]);
      const stuckSettled = settledFlag(stuck);
      const others = await h.renderNodes(
        FORM,
        ['a', 'b', 'c'].map((u) => node(u)),
      );
      expect(stuckSettled()).toBe(false);
      expect(names(others)).toEqual(['a-c', 'b-c', 'c-c']);
      // The other process now idles for over a second (the watchdog's 1000 + 1000 ms), far
      // beyond idleProcessMs, and is not stopped; the lost one is replaced at once.
      expect(names(await stuck)).toEqual(['TIMEOUT']);
      expect(h.stats()).toMatchObject({
        live: 2,
        started: 3,
        startedOnDemand: 0,
        stoppedIdle: 0,
        replaced: { TIMEOUT: 1 },
      });
      expect(pidsOf(h)).toContain(otherPid);
      expect(pidsOf(h)).not.toContain(stuckPid);
      expect(names(await h.renderNodes(FORM, [node('f')]))).toEqual(['f-c']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('refuses bad pool options with a RenderHostOptionError naming the option', async () => {
    const cases: [Parameters<typeof RenderHost.start>[0], string, string][] = [
      [
        { processes: 2, minProcesses: 3 },
        'minProcesses',
        'RenderHost option minProcesses must be at most processes (2), got 3',
      ],
      [
        { minProcesses: 2 },
        'minProcesses',
        'RenderHost option minProcesses must be at most processes (1), got 2',
      ],
      [
        { processes: 2, minProcesses: 0 },
        'minProcesses',
        'RenderHost option minProcesses must be a positive integer, got 0',
      ],
      [
        { minProcesses: 1.5 },
        'minProcesses',
        'RenderHost option minProcesses must be a positive integer, got 1.5',
      ],
      [
        { idleProcessMs: 0 },
        'idleProcessMs',
        'RenderHost option idleProcessMs must be a positive integer, got 0',
      ],
      [
        { idleProcessMs: 2 ** 31 },
        'idleProcessMs',
        'RenderHost option idleProcessMs must be at most 2147483647 ms, got 2147483648',
      ],
      [
        { processes: 0 },
        'processes',
        'RenderHost option processes must be a positive integer, got 0',
      ],
      [
        { limits: { maxSteps: -1 } },
        'limits.maxSteps',
        'RenderHost option limits.maxSteps must be a positive integer, got -1',
      ],
    ];
    for (const [options, option, message] of cases) {
      const err: unknown = await RenderHost.start(options).then(
        () => new Error(`started with ${JSON.stringify(options)}`),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RenderHostOptionError);
      expect(err).toBeInstanceOf(RangeError);
      expect(err).toMatchObject({ name: 'RenderHostOptionError', option, message });
    }
  });
});
