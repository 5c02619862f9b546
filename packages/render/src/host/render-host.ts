// RenderHost: renders forms in separate Node processes that hold no credentials, may not spawn,
// write files or start workers, and have their own capped heap. A render that hangs or runs out
// of memory costs its process, which is replaced, and fails only its own node. The processes are
// an elastic pool: minProcesses always, more (up to processes) while work waits for one, stopped
// again after idleProcessMs without work, since each costs tens of MB that an idle operator needs.
import type { FormCheckResult, LynqForm } from '@lynq/api';
import { resolveRenderLimits, type RenderLimits } from '../budget.js';
import type { TemplateSyntax } from '../engine.js';
import type { FormRenderResult, RenderSource } from '../render-form.js';
import { childArgs } from './child-command.js';
import { RenderHostError, RenderHostOptionError, type RenderHostErrorCode } from './errors.js';
import { FormCache } from './form-cache.js';
import { formText, type FormText } from './form-text.js';
import type { ChildUsage, Diagnosis, FromChild, ToChild, WireOutcome } from './protocol.js';
import { RenderProcess, type ProcessExit } from './render-process.js';
import { checkSkeleton, decodeResult, type SkeletonResource } from './wire-result.js';

export interface RenderHostOptions {
  /** Render processes working in parallel, at most. Default 1. */
  processes?: number;
  /**
   * Render processes kept running even without work, from 1 to `processes`. Default 1. More are
   * started while work waits for a process; with `minProcesses === processes` all run all the time.
   */
  minProcesses?: number;
  /** Time a process above `minProcesses` may go without work before it is stopped, in ms. Default 60000. */
  idleProcessMs?: number;
  /** Time one node's render may take, in ms; its process is replaced after that. Default 2000. */
  renderTimeoutMs?: number;
  /** Heap of each render process (`--max-old-space-size`), in MB. Default 256. */
  memoryLimitMb?: number;
  /**
   * Whether forms may use the nunjucks syntax. Default false: nunjucks compiles templates to
   * JavaScript and its documentation says it is no sandbox; turn it on only when whoever may
   * create LynqForms is trusted, and rely on this process boundary.
   */
  allowNunjucks?: boolean;
  /** The engine's budgets of one render; `timeoutMs` defaults to (and is capped at) renderTimeoutMs. */
  limits?: Partial<RenderLimits>;
  /** Time a render process may take to load the engine, in ms. Default 30000. */
  startTimeoutMs?: number;
}

/** One node to render: its template variables and the namespace of resources without one. */
export interface RenderNode {
  variables: Readonly<Record<string, unknown>>;
  namespace: string;
}

export type RenderOutcome =
  { ok: true; result: FormRenderResult } | { ok: false; error: RenderHostError };

export interface RenderNodesOptions {
  /** Stops the call: nodes not yet rendered fail with ABORTED. */
  signal?: AbortSignal;
  /** The time `now`/`date` see, in ms since the epoch (default: the render process's clock). */
  clock?: number;
  /** The syntax of a LynqNode's spec copy, which does not carry it (default: the form's own, else `go`). */
  syntax?: TemplateSyntax;
}

export interface RenderProcessStats {
  pid: number;
  /** Nodes this process has rendered. */
  rendered: number;
  /** As last reported by the process (after each batch). */
  usage: ChildUsage | undefined;
}

export interface RenderHostStats {
  /** The live render processes: starting, working or idle (not those being stopped). */
  processes: RenderProcessStats[];
  /** How many processes are live: `processes.length`. */
  live: number;
  /** Processes started since the host started, replacements included. */
  started: number;
  /** Of those, processes started while `minProcesses` were already live: for work that waited. */
  startedOnDemand: number;
  /** Processes stopped after `idleProcessMs` without work. */
  stoppedIdle: number;
  /** Processes lost, by cause; each is replaced when the pool needs it (always below minProcesses). */
  replaced: Record<'TIMEOUT' | 'MEMORY' | 'CRASHED', number>;
  rendered: number;
  failed: number;
  /** Nodes waiting for a process. */
  queued: number;
  /** Forms sent to processes to compile. */
  formsSent: number;
}

/** Work items a process may hold at once: the next batch is there when one finishes. */
const PIPELINE = 2;
const MAX_BATCH = 256;
/** How long no process is started after one failed to start, while other processes work. */
const START_RETRY_MS = 5000;
/**
 * A busy process gets a second work item only while its current one makes progress: it has
 * reported results of it, the last this recently (a process reports every 20 ms while it
 * renders). Work queued behind a render that hangs cannot be taken back before the watchdog
 * kills that process, while another process could render it at once.
 */
const PROGRESS_MS = 200;
/** Time a stopped process has to exit once its channel is closed, before it is killed. */
const STOP_GRACE_MS = 5000;
/** The longest delay setTimeout keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Added to renderTimeoutMs before a silent process is killed: compile, IPC and a busy machine. */
const WATCHDOG_SLACK_MS = 1000;

interface Job {
  form: FormText;
  nodes: readonly RenderNode[];
  clock: number | undefined;
  outcomes: (RenderOutcome | undefined)[];
  remaining: number;
  finish(): void;
}

type Work =
  | {
      kind: 'render';
      job: Job;
      indices: number[];
      /** A node retried alone after its batch's process was lost: its next loss is its own. */
      isolated: boolean;
      /** Sent again once after its process died before starting it. */
      resent?: boolean;
    }
  | { kind: 'validate'; json: string; settle: Settle<FormCheckResult> }
  | { kind: 'diagnose'; settle: Settle<Diagnosis> };

type Settle<T> = { resolve(v: T): void; reject(e: Error): void };

interface InFlight {
  id: number;
  work: Work;
  started: boolean;
  /** Nodes of a render batch reported so far (they are reported in order). */
  reported: number;
  /** The form's skeleton, known when the batch was sent or sent by the process with its results. */
  skeleton: SkeletonResource[] | undefined;
}

/** A place for one process in the pool; empty while the pool is below `processes`. */
interface Slot {
  proc: RenderProcess | undefined;
  /** The process has loaded the engine and its channel is open. */
  ready: boolean;
  /** The forms the process has compiled, mirrored (see FormCache). */
  forms: FormCache<true>;
  inFlight: InFlight[];
  rendered: number;
  usage: ChildUsage | undefined;
  /** When the process last said something (performance.now). */
  heardAt: number;
  /** Runs while the process is idle and may be stopped (see armIdleTimers). */
  idleTimer: NodeJS.Timeout | undefined;
  /** Order in which the slot's process was started: the oldest minProcesses are kept. */
  startOrder: number;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0)
    throw new RenderHostOptionError(name, `must be a positive integer, got ${String(v)}`);
  return v;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

// Test-only entry points, reachable through startRenderHostForTests and diagnoseRenderHost (this
// module is not exported by the package; `@lynq/render/host` is host/index.ts).
const START_WITH_TEST_HOOKS = Symbol('startWithTestHooks');
const DIAGNOSE = Symbol('diagnose');

export class RenderHost {
  private readonly slots: Slot[];
  private readonly queue: Work[] = [];
  /** Skeletons of the forms rendered lately (see wire-result.ts), by fingerprint. */
  private readonly skeletons = new FormCache<SkeletonResource[]>();
  /** Processes stopped for idleness that have not exited yet (close() waits for them too). */
  private readonly stopping = new Set<RenderProcess>();
  private readonly minProcesses: number;
  private readonly idleProcessMs: number;
  private readonly renderTimeoutMs: number;
  private readonly memoryLimitMb: number;
  private readonly startTimeoutMs: number;
  private readonly args: string[];
  private nextId = 1;
  private closed = false;
  /** When a process last failed to start (see grow); cleared when one starts. */
  private startFailedAt: number | undefined;
  private readonly counts = {
    started: 0,
    startedOnDemand: 0,
    stoppedIdle: 0,
    replaced: { TIMEOUT: 0, MEMORY: 0, CRASHED: 0 },
    rendered: 0,
    failed: 0,
    formsSent: 0,
  };

  private constructor(options: RenderHostOptions, testHooks: boolean) {
    const processes = positive('processes', options.processes, 1);
    this.minProcesses = positive('minProcesses', options.minProcesses, 1);
    if (this.minProcesses > processes)
      throw new RenderHostOptionError(
        'minProcesses',
        `must be at most processes (${processes}), got ${this.minProcesses}`,
      );
    this.idleProcessMs = positive('idleProcessMs', options.idleProcessMs, 60_000);
    if (this.idleProcessMs > MAX_TIMER_MS)
      throw new RenderHostOptionError(
        'idleProcessMs',
        `must be at most ${MAX_TIMER_MS} ms, got ${this.idleProcessMs}`,
      );
    this.renderTimeoutMs = positive('renderTimeoutMs', options.renderTimeoutMs, 2000);
    this.memoryLimitMb = positive('memoryLimitMb', options.memoryLimitMb, 256);
    this.startTimeoutMs = positive('startTimeoutMs', options.startTimeoutMs, 30_000);
    const limits = { ...options.limits };
    limits.timeoutMs = Math.min(limits.timeoutMs ?? this.renderTimeoutMs, this.renderTimeoutMs);
    try {
      resolveRenderLimits(limits); // a bad limit fails now, not every node later
    } catch (err) {
      // "render limit maxSteps must be …" names the limit: the option is then limits.maxSteps.
      const named = /^render limit (\w+) (.*)$/s.exec(messageOf(err));
      throw named
        ? new RenderHostOptionError(`limits.${named[1]!}`, named[2]!, { cause: err })
        : new RenderHostOptionError('limits', messageOf(err), { cause: err });
    }
    const allowNunjucks = options.allowNunjucks ?? false;
    this.args = childArgs({
      memoryLimitMb: this.memoryLimitMb,
      allowNunjucks,
      config: { allowNunjucks, limits, testHooks },
    });
    this.slots = Array.from({ length: processes }, () => ({
      proc: undefined,
      ready: false,
      forms: new FormCache<true>(),
      inFlight: [],
      rendered: 0,
      usage: undefined,
      heardAt: 0,
      idleTimer: undefined,
      startOrder: 0,
    }));
  }

  /** Starts `minProcesses` render processes; resolves when they have loaded the engine. */
  static start(options: RenderHostOptions = {}): Promise<RenderHost> {
    return RenderHost.launch(options, false);
  }

  static [START_WITH_TEST_HOOKS](options: RenderHostOptions): Promise<RenderHost> {
    return RenderHost.launch(options, true);
  }

  private static async launch(options: RenderHostOptions, testHooks: boolean): Promise<RenderHost> {
    const host = new RenderHost(options, testHooks);
    const starts = host.slots.slice(0, host.minProcesses).map((slot) => host.startProcess(slot));
    try {
      await Promise.all(starts);
    } catch (err) {
      await host.close();
      throw err;
    }
    return host;
  }

  /**
   * Renders `form` for each node, in separate processes. Never rejects: each outcome says
   * whether its node rendered (template errors are in the result, as with renderForm) or why
   * the host could not render it.
   */
  renderNodes(
    form: RenderSource,
    nodes: readonly RenderNode[],
    options: RenderNodesOptions = {},
  ): Promise<RenderOutcome[]> {
    const outcomes: (RenderOutcome | undefined)[] = new Array(nodes.length).fill(undefined);
    const fail = (i: number, code: RenderHostErrorCode, message: string) => {
      outcomes[i] = { ok: false, error: new RenderHostError(code, `node ${i}: ${message}`, i) };
      this.counts.failed++;
    };
    const failAll = (code: RenderHostErrorCode, message: string) => {
      for (let i = 0; i < nodes.length; i++) if (outcomes[i] === undefined) fail(i, code, message);
      return Promise.resolve(outcomes as RenderOutcome[]);
    };
    if (this.closed) return failAll('CLOSED', 'the render host is closed');
    if (options.signal?.aborted) return failAll('ABORTED', 'the render was aborted');
    if (options.clock !== undefined && !Number.isFinite(options.clock))
      return failAll('INVALID_INPUT', `clock must be a number of ms, got ${String(options.clock)}`);
    let text: FormText;
    try {
      text = formText(form, options.syntax);
    } catch (err) {
      return failAll('INVALID_INPUT', `the form is not JSON data: ${messageOf(err)}`);
    }
    const valid: number[] = [];
    nodes.forEach((node, i) => {
      const v: unknown = node?.variables;
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        fail(i, 'INVALID_INPUT', 'variables must be an object of template variables');
      else if (typeof node.namespace !== 'string')
        fail(i, 'INVALID_INPUT', `namespace must be a string, got ${typeof node.namespace}`);
      else valid.push(i);
    });
    return new Promise<RenderOutcome[]>((resolve) => {
      const onAbort = () => {
        this.dequeue((w) => w.kind === 'render' && w.job === job);
        for (let i = 0; i < nodes.length; i++)
          if (outcomes[i] === undefined) this.settle(job, i, 'ABORTED', 'the render was aborted');
      };
      const job: Job = {
        form: text,
        nodes,
        clock: options.clock,
        outcomes,
        remaining: valid.length,
        finish: () => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(outcomes as RenderOutcome[]);
        },
      };
      if (valid.length === 0) return job.finish();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const size = Math.min(MAX_BATCH, Math.ceil(valid.length / (this.slots.length * PIPELINE)));
      for (let at = 0; at < valid.length; at += size)
        this.queue.push({
          kind: 'render',
          job,
          indices: valid.slice(at, at + size),
          isolated: false,
        });
      this.pump();
    });
  }

  /**
   * Admission: the `{ errors, warnings }` of validateTemplates, computed in a render process.
   * Rejects with a RenderHostError when the form's validation cost its process (TIMEOUT, MEMORY,
   * CRASHED) or the host is closed: such a form should be refused.
   */
  validateForm(form: LynqForm): Promise<FormCheckResult> {
    return this.request<FormCheckResult>((settle) => {
      let json: string;
      try {
        json = JSON.stringify(form);
      } catch (err) {
        throw new RenderHostError('INVALID_INPUT', `the form is not JSON data: ${messageOf(err)}`);
      }
      return { kind: 'validate', json, settle };
    });
  }

  [DIAGNOSE](): Promise<Diagnosis> {
    return this.request<Diagnosis>((settle) => ({ kind: 'diagnose', settle }));
  }

  stats(): RenderHostStats {
    let queued = 0;
    for (const w of this.queue) if (w.kind === 'render') queued += w.indices.length;
    const processes = this.slots
      .filter((s) => s.proc !== undefined)
      .map((s) => ({ pid: s.proc!.pid, rendered: s.rendered, usage: s.usage }));
    return {
      processes,
      live: processes.length,
      started: this.counts.started,
      startedOnDemand: this.counts.startedOnDemand,
      stoppedIdle: this.counts.stoppedIdle,
      replaced: { ...this.counts.replaced },
      rendered: this.counts.rendered,
      failed: this.counts.failed,
      queued,
      formsSent: this.counts.formsSent,
    };
  }

  /** Kills the render processes; work not yet done fails with CLOSED. Resolves when they are gone. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = 'the render host was closed';
    for (const work of this.queue.splice(0)) this.abandon(work, 'CLOSED', closing);
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      for (const f of slot.inFlight.splice(0)) this.abandon(f.work, 'CLOSED', closing);
      if (slot.proc) {
        exits.push(slot.proc.exited);
        slot.proc.kill({ code: 'CLOSED', detail: 'was closed' });
      }
    }
    for (const proc of this.stopping) {
      exits.push(proc.exited);
      proc.kill({ code: 'CLOSED', detail: 'was closed' });
    }
    await Promise.all(exits);
  }

  // ---- internals ----

  /** Removes queued work that `drop` selects. */
  private dequeue(drop: (w: Work) => boolean): void {
    let kept = 0;
    for (const w of this.queue) if (!drop(w)) this.queue[kept++] = w;
    this.queue.length = kept;
  }

  private request<T>(make: (settle: Settle<T>) => Work): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) return reject(new RenderHostError('CLOSED', 'the render host is closed'));
      this.queue.push(make({ resolve, reject }));
      this.pump();
    });
  }

  private startProcess(slot: Slot): Promise<void> {
    const proc = new RenderProcess(
      this.args,
      this.renderTimeoutMs + WATCHDOG_SLACK_MS,
      this.startTimeoutMs,
      {
        // A process stopped for idleness has left its slot, which may hold another by now.
        message: (m) => (slot.proc === proc ? this.onMessage(slot, m) : undefined),
        exit: (exit) => {
          this.stopping.delete(proc);
          this.onExit(slot, proc, exit);
        },
      },
    );
    slot.startOrder = ++this.counts.started;
    slot.proc = proc;
    slot.ready = false;
    slot.forms = new FormCache<true>();
    slot.rendered = 0;
    slot.usage = undefined;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    return proc.ready.then(
      () => {
        if (slot.proc !== proc) return;
        slot.ready = true;
        this.startFailedAt = undefined;
        this.pump();
      },
      (err: unknown) => {
        this.startFailedAt = Date.now();
        // Unless another process can take it (working, or still starting), queued work fails
        // rather than wait for a process that may never start; the next work tries again.
        const others = this.slots.some((s) => s.proc !== undefined && s.proc !== proc);
        if (!others)
          for (const work of this.queue.splice(0))
            this.abandon(work, 'CRASHED', `the render process could not start: ${messageOf(err)}`);
        throw err;
      },
    );
  }

  /**
   * Hands queued work to processes: first to those that have none; then starts processes for
   * what is left (see grow); then, unless a process is starting that will take it, queues it
   * behind the work of busy processes whose current work makes progress (PIPELINE), so that
   * the next batch is there when one finishes.
   */
  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots)
      while (slot.ready && slot.inFlight.length === 0 && this.queue.length > 0)
        this.dispatch(slot, this.queue.shift()!);
    this.grow();
    if (this.queue.length > 0 && !this.slots.some((s) => s.proc !== undefined && !s.ready)) {
      const now = performance.now();
      for (const slot of this.slots)
        while (
          slot.ready &&
          slot.inFlight.length < PIPELINE &&
          (slot.inFlight[0]?.reported ?? 0) > 0 &&
          now - slot.heardAt < PROGRESS_MS &&
          this.queue.length > 0
        )
          this.dispatch(slot, this.queue.shift()!);
    }
    this.armIdleTimers();
  }

  /**
   * Starts processes in empty slots: up to minProcesses, and one for each work item that no
   * process could take and no starting process will. After a process failed to start, none is
   * started for START_RETRY_MS while other processes work, so that a process that cannot start
   * is not started over and over; with none working, work may try at once (and fails if none can).
   */
  private grow(): void {
    let live = 0;
    let starting = 0;
    for (const s of this.slots)
      if (s.proc !== undefined) {
        live++;
        if (!s.ready) starting++;
      }
    let wanted = Math.max(this.minProcesses - live, this.queue.length - starting);
    if (wanted <= 0 || live === this.slots.length) return;
    const failed = this.startFailedAt;
    const othersWork = this.slots.some((s) => s.ready);
    if (failed !== undefined && othersWork && Date.now() - failed <= START_RETRY_MS) return;
    for (const slot of this.slots) {
      if (wanted === 0) return;
      if (slot.proc !== undefined) continue;
      if (live >= this.minProcesses) this.counts.startedOnDemand++;
      this.startProcess(slot).catch(() => undefined);
      live++;
      wanted--;
    }
  }

  /**
   * Each idle process gets a timer that stops it after idleProcessMs unless it is among the
   * minimum (see stopIdle); work given to it clears the timer. With minProcesses === processes,
   * none is ever stopped. The timers do not keep the host's Node process alive.
   */
  private armIdleTimers(): void {
    if (this.minProcesses === this.slots.length) return;
    for (const slot of this.slots) {
      const proc = slot.proc;
      if (!slot.ready || proc === undefined || slot.inFlight.length > 0 || slot.idleTimer) continue;
      slot.idleTimer = setTimeout(() => this.stopIdle(slot, proc), this.idleProcessMs);
      slot.idleTimer.unref();
    }
  }

  /**
   * Stops a process that has had no work for idleProcessMs, unless it is one of the
   * minProcesses oldest ready ones: those have compiled the most forms and run the warmest code,
   * and one started for a burst often never got work. It leaves its slot at once (no work can
   * reach it), and exits when its channel is closed. If it must stay, the next pump arms its
   * timer again.
   */
  private stopIdle(slot: Slot, proc: RenderProcess): void {
    slot.idleTimer = undefined;
    if (this.closed || slot.proc !== proc || !slot.ready || slot.inFlight.length > 0) return;
    const older = this.slots.filter((s) => s.ready && s.startOrder < slot.startOrder).length;
    if (older < this.minProcesses) return;
    slot.proc = undefined;
    slot.ready = false;
    this.stopping.add(proc);
    this.counts.stoppedIdle++;
    proc.stop(STOP_GRACE_MS);
  }

  private dispatch(slot: Slot, work: Work): void {
    if (work.kind === 'render' && work.indices.every((i) => work.job.outcomes[i] !== undefined))
      return; // aborted meanwhile
    const id = this.nextId++;
    let message: ToChild;
    let sentForm = false;
    let skeleton: SkeletonResource[] | undefined;
    if (work.kind === 'render') {
      const { job } = work;
      const known = slot.forms.get(job.form.key) !== undefined;
      sentForm = !known;
      skeleton = this.skeletons.get(job.form.key);
      message = {
        t: 'render',
        id,
        form: {
          key: job.form.key,
          syntax: job.form.syntax,
          ...(known ? {} : { json: job.form.json }),
        },
        nodes: work.indices.map((i) => job.nodes[i]!),
        clock: job.clock,
        skeleton: skeleton === undefined,
      };
    } else if (work.kind === 'validate') message = { t: 'validate', id, json: work.json };
    else message = { t: 'diagnose', id };
    try {
      slot.proc!.send(message);
    } catch (err) {
      if (work.kind === 'render' && !isGone(err)) return this.unsendable(work, err);
      // The process is going: its exit will requeue what it had; this waits for the next one.
      slot.ready = false;
      this.queue.unshift(work);
      return;
    }
    if (work.kind === 'render' && sentForm) {
      slot.forms.set(work.job.form.key, true, work.job.form.json.length);
      this.counts.formsSent++;
    }
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    slot.inFlight.push({ id, work, started: false, reported: 0, skeleton });
    slot.proc!.setBusy(true);
  }

  /** A batch could not be serialised: find the nodes that are not plain data, send the rest. */
  private unsendable(work: Extract<Work, { kind: 'render' }>, err: unknown): void {
    if (work.indices.length === 1) {
      const i = work.indices[0]!;
      this.settle(
        work.job,
        i,
        'INVALID_INPUT',
        `cannot be sent to a render process: ${messageOf(err)}`,
      );
      return;
    }
    // Split in single nodes: each finds out for itself.
    for (const i of work.indices.reverse())
      this.queue.unshift({ kind: 'render', job: work.job, indices: [i], isolated: false });
    this.pump();
  }

  private onMessage(slot: Slot, m: FromChild): void {
    slot.heardAt = performance.now();
    if (m.t === 'ready') {
      slot.usage = m.usage;
      return;
    }
    const at = slot.inFlight.findIndex((f) => f.id === (m as { id?: number }).id);
    const f = slot.inFlight[at];
    if (f === undefined) return;
    const done = () => {
      slot.inFlight.splice(at, 1);
      if (slot.inFlight.length === 0) slot.proc?.setBusy(false);
      this.pump();
    };
    const work = f.work;
    switch (m.t) {
      case 'started':
        f.started = true;
        return;
      case 'results': {
        const outcomes = work.kind === 'render' ? parseOutcomes(m.outcomes) : undefined;
        if (work.kind !== 'render' || outcomes === undefined || m.from !== f.reported)
          return this.malformed(slot);
        if (f.reported + outcomes.length > work.indices.length) return this.malformed(slot);
        if (m.skeleton !== undefined) {
          f.skeleton = checkSkeleton(m.skeleton);
          if (f.skeleton === undefined) return this.malformed(slot);
          this.skeletons.set(work.job.form.key, f.skeleton, work.job.form.json.length);
        }
        for (const outcome of outcomes) {
          const i = work.indices[f.reported++]!;
          if (!this.report(work.job, i, outcome, f.skeleton)) return this.malformed(slot);
          slot.rendered++;
        }
        if (m.usage) slot.usage = m.usage;
        if (f.reported === work.indices.length) done();
        // Progress: waiting work may now be queued behind this batch (see pump).
        else if (at === 0 && this.queue.length > 0) this.pump();
        return;
      }
      case 'form-missing':
        if (work.kind !== 'render') return this.malformed(slot);
        slot.forms.delete(work.job.form.key);
        this.queue.unshift(work);
        return done();
      case 'validated':
        if (work.kind !== 'validate') return this.malformed(slot);
        work.settle.resolve(m.check);
        return done();
      case 'diagnosis':
        if (work.kind !== 'diagnose') return this.malformed(slot);
        work.settle.resolve(m.diagnosis);
        return done();
      case 'failed':
        this.abandon(work, 'CRASHED', `failed in the render process: ${m.message}`, f.reported);
        return done();
      default:
        return this.malformed(slot);
    }
  }

  /** A process answered something it never should: it is not trusted any more. */
  private malformed(slot: Slot): void {
    slot.proc?.kill({ code: 'CRASHED', detail: 'answered with a malformed message' });
  }

  /** Records one node's outcome from a process; false when the outcome is malformed. */
  private report(
    job: Job,
    i: number,
    outcome: WireOutcome,
    skeleton: SkeletonResource[] | undefined,
  ): boolean {
    if (typeof outcome !== 'object' || outcome === null) return false;
    if (outcome.ok === true) {
      const result = skeleton && decodeResult(outcome.resources, skeleton);
      if (result === undefined) return false;
      if (job.outcomes[i] !== undefined) return true;
      job.outcomes[i] = { ok: true, result };
      this.counts.rendered++;
      if (--job.remaining === 0) job.finish();
      return true;
    }
    if (outcome.ok !== false || typeof outcome.message !== 'string') return false;
    this.settle(job, i, 'CRASHED', `the render failed in the render process: ${outcome.message}`);
    return true;
  }

  private settle(job: Job, i: number, code: RenderHostErrorCode, message: string): void {
    if (job.outcomes[i] !== undefined) return;
    job.outcomes[i] = {
      ok: false,
      error: new RenderHostError(code, `node ${i}: ${message}`, i),
    };
    this.counts.failed++;
    if (--job.remaining === 0) job.finish();
  }

  /** Fails what is left of a work item; for a batch, its nodes from `from` on. */
  private abandon(work: Work, code: RenderHostErrorCode, message: string, from = 0): void {
    if (work.kind === 'render') {
      for (const i of work.indices.slice(from)) this.settle(work.job, i, code, message);
    } else work.settle.reject(new RenderHostError(code, message));
  }

  private exitMessage(exit: ProcessExit): string {
    switch (exit.code) {
      case 'TIMEOUT':
        return `the render did not finish within ${this.renderTimeoutMs} ms (${exit.detail}); its render process was replaced`;
      case 'MEMORY':
        return `the render process ran out of its ${this.memoryLimitMb} MB heap; it was replaced`;
      case 'CLOSED':
        return 'the render host was closed';
      case 'CRASHED':
        return `the render process ${exit.detail}; it was replaced`;
    }
  }

  /**
   * A process is gone. Work it had finished is kept. The item it was working on fails if it was
   * one node; a batch is split and its unreported nodes retried one by one, so that only the
   * node that costs a process fails. Items it had not started go back to the queue. The pool
   * then starts a process in its place if it is below minProcesses or work waits (see grow).
   */
  private onExit(slot: Slot, proc: RenderProcess, exit: ProcessExit): void {
    if (slot.proc !== proc) return;
    const wasReady = slot.ready;
    slot.proc = undefined;
    slot.ready = false;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const inFlight = slot.inFlight.splice(0);
    // A process that never started had no work; its start's rejection handles the queue.
    if (this.closed || !wasReady) return;
    if (exit.code !== 'CLOSED') this.counts.replaced[exit.code]++;
    const message = this.exitMessage(exit);
    const requeue: Work[] = [];
    inFlight.forEach((f, n) => {
      const work = f.work;
      const current = n === 0;
      if (!current) return requeue.push(work);
      if (work.kind !== 'render') return this.abandon(work, exit.code, message);
      const left = work.indices.slice(f.reported);
      if (!f.started && !work.resent) return requeue.push({ ...work, resent: true });
      if (!f.started)
        return this.abandon(work, exit.code, `${message} (while compiling the form)`, f.reported);
      if (work.isolated || left.length === 1)
        return this.abandon(work, exit.code, message, f.reported);
      for (const i of left)
        requeue.push({ kind: 'render', job: work.job, indices: [i], isolated: true });
    });
    this.queue.unshift(...requeue);
    this.pump();
  }
}

function parseOutcomes(json: unknown): WireOutcome[] | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? (v as WireOutcome[]) : undefined;
  } catch {
    return undefined; // reported as a malformed message by the caller
  }
}

function isGone(err: unknown): boolean {
  return err instanceof Error && err.message === 'the render process is gone';
}

/** A host whose processes also answer test-only requests and node hooks (see child.ts). */
export function startRenderHostForTests(options: RenderHostOptions = {}): Promise<RenderHost> {
  return RenderHost[START_WITH_TEST_HOOKS](options);
}

/** What a render process of a test host can do (see diagnose.ts). */
export function diagnoseRenderHost(host: RenderHost): Promise<Diagnosis> {
  return host[DIAGNOSE]();
}
