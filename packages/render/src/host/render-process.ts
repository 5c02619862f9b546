// One render process as the host sees it: started with an empty environment and no inherited
// file descriptors but its IPC channel, watched for progress while it has work, killed when it
// stalls, and classified when it dies (killed for time, out of heap, or crashed).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { RenderHostErrorCode } from './errors.js';
import type { FromChild, ToChild } from './protocol.js';

/** Why a process is gone, for the nodes it was rendering. */
export interface ProcessExit {
  code: Extract<RenderHostErrorCode, 'TIMEOUT' | 'MEMORY' | 'CRASHED' | 'CLOSED'>;
  detail: string;
}

export interface RenderProcessEvents {
  message(m: FromChild): void;
  /** Called once, when the process has exited and its stderr is drained. */
  exit(exit: ProcessExit): void;
}

const STDERR_TAIL_CHARS = 8192;
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/;

// Every live render process, killed when the host's own process exits without closing its hosts.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
}

export class RenderProcess {
  readonly pid: number;
  /** Resolves when the process has loaded the engine; rejects if it dies or hangs first. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private killedFor: ProcessExit | undefined;
  private gone = false;
  private lastHeard = performance.now();
  private watchdog: NodeJS.Timeout | undefined;
  private busy = false;

  /**
   * Starts `node <args>`. The process is killed when it is busy and says nothing for
   * `stallMs`: the time one node may take, plus the slack of passing its outcome back.
   */
  constructor(
    args: readonly string[],
    private readonly stallMs: number,
    startTimeoutMs: number,
    private readonly events: RenderProcessEvents,
  ) {
    this.child = spawn(process.execPath, args, {
      env: {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      windowsHide: true,
    });
    track(this.child);
    this.pid = this.child.pid ?? -1;
    const stderr = this.child.stderr as Readable;
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // A start failure is reported through ready; nobody may be listening yet.
    this.ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      readyReject(new Error(`the render process did not start within ${startTimeoutMs} ms`));
      this.kill({ code: 'CRASHED', detail: 'it did not start in time' });
    }, startTimeoutMs);
    this.child.on('message', (m: FromChild) => {
      this.lastHeard = performance.now();
      if (m.t === 'ready') {
        clearTimeout(startTimer);
        readyResolve();
      }
      this.events.message(m);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        // spawn itself failed: no 'close' follows for a process that never ran.
        if (this.child.pid !== undefined) return;
        clearTimeout(startTimer);
        readyReject(new Error(`the render process could not be started: ${err.message}`));
        this.finish({ code: 'CRASHED', detail: `could not be started: ${err.message}` });
        resolve();
      });
      this.child.on('close', (code, signal) => {
        clearTimeout(startTimer);
        const exit = this.classify(code, signal);
        readyReject(new Error(`the render process ${exit.detail}${this.startupError()}`));
        this.finish(exit);
        resolve();
      });
    });
    this.setBusy(false);
  }

  /** Sends one message; throws (DataCloneError) when it holds something that is not plain data. */
  send(m: ToChild): void {
    if (this.gone || !this.child.connected) throw new Error('the render process is gone');
    this.child.send(m);
  }

  /**
   * While busy, the process and its channel keep the host's event loop alive and the watchdog
   * runs; while idle, neither does, so a program that forgets close() still exits.
   */
  setBusy(busy: boolean): void {
    if (this.gone) return;
    this.busy = busy;
    const stderr = this.child.stderr as Readable & { ref?(): void; unref?(): void };
    if (busy) {
      this.child.ref();
      this.child.channel?.ref();
      stderr.ref?.();
      this.lastHeard = performance.now();
      this.armWatchdog(this.stallMs);
    } else {
      this.child.unref();
      this.child.channel?.unref();
      stderr.unref?.();
      clearTimeout(this.watchdog);
      this.watchdog = undefined;
    }
  }

  /** Kills the process; its nodes fail with `exit` (the first reason given wins). */
  kill(exit: ProcessExit): void {
    this.killedFor ??= exit;
    // Referenced again, so that whoever awaits `exited` sees it even from an idle host.
    this.child.ref();
    (this.child.stderr as Readable & { ref?(): void }).ref?.();
    this.child.kill('SIGKILL');
  }

  /**
   * Ends an idle process gracefully: asked to stop, it closes its channel and exits (see
   * child.ts); it is killed if it has not within `graceMs`. Its exit is reported as CLOSED.
   */
  stop(graceMs: number): void {
    if (this.gone) return;
    this.killedFor ??= { code: 'CLOSED', detail: 'was stopped' };
    try {
      this.send({ t: 'stop' });
    } catch {
      this.child.kill('SIGKILL'); // its channel is gone already
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    // An idle host must not stay alive for it; the exit hook kills what is left (see track).
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  private armWatchdog(ms: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.checkProgress(), Math.max(1, ms));
  }

  private checkProgress(): void {
    if (!this.busy || this.gone) return;
    const quiet = performance.now() - this.lastHeard;
    if (quiet < this.stallMs) return this.armWatchdog(this.stallMs - quiet);
    // The timer may run before pending messages are read (after the host's own event loop was
    // blocked): look once more after the poll phase has delivered them.
    setImmediate(() => {
      if (!this.busy || this.gone) return;
      const stillQuiet = performance.now() - this.lastHeard;
      if (stillQuiet < this.stallMs) return this.armWatchdog(this.stallMs - stillQuiet);
      this.kill({ code: 'TIMEOUT', detail: `it did not answer for ${Math.round(stillQuiet)} ms` });
    });
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): ProcessExit {
    if (this.killedFor) return this.killedFor;
    if (OUT_OF_MEMORY.test(this.stderrTail)) return { code: 'MEMORY', detail: 'ran out of memory' };
    return {
      code: 'CRASHED',
      detail: signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`,
    };
  }

  /** What the process printed before it failed to start (no rows or forms were sent yet). */
  private startupError(): string {
    const lines = this.stderrTail
      .split('\n')
      .map((l) => l.trim())
      // Leave out stack frames (JavaScript's and V8's native ones) and source excerpts.
      .filter((l) => l && !/^(at |\^|<-|-----|\d+: 0x|\[\d+:0x)/.test(l));
    return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
  }

  private finish(exit: ProcessExit): void {
    if (this.gone) return;
    this.gone = true;
    clearTimeout(this.watchdog);
    live.delete(this.child);
    this.events.exit(exit);
  }
}
