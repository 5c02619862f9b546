// The render process: started by RenderHost with an empty environment, Node's permission model
// and a heap cap. It compiles each form once, renders batches of nodes, and reports outcomes in
// chunks so that the host's watchdog sees progress. Nothing here trusts the templates; the host
// trusts nothing it reads from here beyond the shape it checks.
import './deny-network.js';
import 'ses';
import { type LynqForm } from '@lynq/api';
import { performance } from 'node:perf_hooks';
import { resolveRenderLimits } from '../budget.js';
import { compileForm, type CompiledForm, type RenderFormOptions } from '../render-form.js';
import { templateCheck } from '../validate-templates.js';
import { diagnose } from './diagnose.js';
import { warmUp } from './warm-up.js';
import { FormCache } from './form-cache.js';
import type {
  ChildConfig,
  ChildUsage,
  FromChild,
  ToChild,
  WireNode,
  WireOutcome,
} from './protocol.js';
import { encodeResult, skeletonOf, type SkeletonResource } from './wire-result.js';

/** Renders of the warm-up form before the process reports ready (see warm-up.ts). */
const WARM_UP_ROUNDS = 500;

/** How often, at most, a busy process reports the outcomes it has so far. */
const FLUSH_MS = 20;

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const checkTemplates = templateCheck({ allowNunjucks: config.allowNunjucks });
// Resolved once: the engine takes a resolved limits object as it is, and checks any other per render.
const limits = resolveRenderLimits(config.limits);

// Hardened intrinsics: once the engine and its libraries are loaded, every shared prototype and
// built-in is frozen, so nothing a render does to them is seen by another render.
lockdown({
  errorTaming: 'unsafe',
  stackFiltering: 'verbose',
  consoleTaming: 'unsafe',
  overrideTaming: 'severe',
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  reporting: 'none',
});

/** Messages handed to the channel and not yet written to the pipe. */
let unwritten = 0;
let written: (() => void) | undefined;
const send = (m: FromChild): void => {
  unwritten++;
  process.send!(m, undefined, {}, () => {
    unwritten--;
    written?.();
  });
};
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How often a busy process lets the event loop write what it has sent. */
const WRITE_EVERY_MS = 2;
let lastTurn = 0;

/**
 * Rendering is synchronous, and a pipe takes only so much at once: the rest of a message is
 * written when the event loop polls. While a message is being written, let the loop turn every
 * couple of milliseconds (a turn per node would cost a third of the render); with more than two
 * messages waiting (the host reads slowly), wait for them.
 */
async function letWritesProgress(): Promise<void> {
  if (unwritten === 0 || performance.now() - lastTurn < WRITE_EVERY_MS) return;
  await yieldToEventLoop();
  lastTurn = performance.now();
  while (unwritten > 2) await new Promise<void>((resolve) => (written = resolve));
  written = undefined;
}

interface CachedForm {
  compiled: CompiledForm;
  skeleton?: SkeletonResource[];
}

const forms = new FormCache<CachedForm>();

let peakHeapUsed = 0;
function usage(): ChildUsage {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapUsedBytes: m.heapUsed,
    peakHeapUsedBytes: peakHeapUsed,
    rssBytes: m.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** Test-only node hooks, honoured only when the host started this process with testHooks. */
function runTestHook(hook: unknown): void {
  if (hook === 'spin') for (;;);
  // Hangs like `spin` as the host sees it, without taking a core from the machine running the tests.
  if (hook === 'block') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (hook === 'allocate') {
    const hoard: unknown[] = [];
    for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
  }
  if (hook === 'exit') process.exit(3);
}

function renderNode(form: CachedForm, node: WireNode, options: RenderFormOptions): WireOutcome {
  try {
    if (config.testHooks) runTestHook(node.variables['lynq-test-hook']);
    const result = form.compiled.render(node.variables, { ...options, namespace: node.namespace });
    form.skeleton ??= skeletonOf(result);
    return { ok: true, resources: encodeResult(result) };
  } catch (err) {
    // The engine reports template problems in the result; anything thrown is the engine's own
    // failure (or an exhausted stack), reported for this node only.
    return {
      ok: false,
      message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

async function render(m: Extract<ToChild, { t: 'render' }>): Promise<void> {
  let form = forms.get(m.form.key);
  if (form === undefined) {
    if (m.form.json === undefined) return send({ t: 'form-missing', id: m.id });
    const source = JSON.parse(m.form.json) as Parameters<typeof compileForm>[0];
    const options = {
      allowNunjucks: config.allowNunjucks,
      ...(m.form.syntax ? { syntax: m.form.syntax } : {}),
    };
    form = { compiled: compileForm(source, options) };
    forms.set(m.form.key, form, m.form.json.length);
  }
  send({ t: 'started', id: m.id });
  const clock = m.clock;
  const options: RenderFormOptions = {
    namespace: '',
    limits,
    allowNunjucks: config.allowNunjucks,
    ...(clock !== undefined ? { clock: () => clock } : {}),
  };
  let from = 0;
  let outcomes: WireOutcome[] = [];
  let flushed = performance.now();
  let wantSkeleton = m.skeleton;
  const skeleton = () => {
    if (!wantSkeleton || form.skeleton === undefined) return {};
    wantSkeleton = false;
    return { skeleton: form.skeleton };
  };
  for (let i = 0; i < m.nodes.length; i++) {
    outcomes.push(renderNode(form, m.nodes[i]!, options));
    if (i + 1 < m.nodes.length && performance.now() - flushed >= FLUSH_MS) {
      send({ t: 'results', id: m.id, from, outcomes: JSON.stringify(outcomes), ...skeleton() });
      from = i + 1;
      outcomes = [];
      flushed = performance.now();
    }
    await letWritesProgress();
  }
  send({
    t: 'results',
    id: m.id,
    from,
    outcomes: JSON.stringify(outcomes),
    ...skeleton(),
    usage: usage(),
  });
}

async function handle(m: Exclude<ToChild, { t: 'stop' }>): Promise<void> {
  try {
    switch (m.t) {
      case 'render':
        return await render(m);
      case 'validate':
        send({ t: 'started', id: m.id });
        return send({
          t: 'validated',
          id: m.id,
          check: checkTemplates(JSON.parse(m.json) as LynqForm),
        });
      case 'diagnose':
        if (!config.testHooks) throw new Error('diagnose needs test hooks');
        return send({ t: 'diagnosis', id: m.id, diagnosis: diagnose() });
    }
  } catch (err) {
    send({
      t: 'failed',
      id: m.id,
      message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}

// One item at a time, in the order sent: the host counts on it for its form-cache mirror.
let queue = Promise.resolve();
process.on('message', (m: ToChild) => {
  // Closing the channel from this side lets the host see the process end (a channel the host
  // closes itself never counts as closed for its 'close' event); 'disconnect' below exits.
  queue = queue.then(() => (m.t === 'stop' ? process.disconnect() : handle(m)));
});
// The host is gone (or closed the channel): nothing more will come.
process.on('disconnect', () => process.exit(0));
warmUp(WARM_UP_ROUNDS);
send({ t: 'ready', pid: process.pid, usage: usage() });
