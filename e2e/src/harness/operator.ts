import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, httpStatus } from '@lynq/testkit';
import { waitFor } from './wait-for.js';

/** The repository root (this file is e2e/src/harness/operator.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The built operator, as a user runs it. */
export const OPERATOR_MAIN = join(REPO_ROOT, 'apps', 'operator', 'dist', 'main.js');

export interface OperatorOptions {
  /** Path of the kubeconfig the operator reads (`--kubeconfig`). */
  kubeconfig: string;
  /** `--namespace`: the one namespace the operator watches; omitted: all namespaces. */
  namespace?: string;
  /** `--leader-elect` with the Lease's namespace and name. */
  leaderElection?: { namespace: string; id: string };
  /** `--log-level`; default debug, so a failing test's log tail says as much as possible. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More flags, each one element: `--hub-concurrency=2`. */
  args?: readonly string[];
  /** Replaces every flag the harness would pass (for the bad-flag tests). */
  rawArgs?: readonly string[];
  /** Shown in messages and the log file name. Default `operator`. */
  name?: string;
  /** Resolve only once `/readyz` answers 200 (default true). */
  waitUntilReady?: boolean;
  /** Default 60 s. */
  readyTimeoutMs?: number;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** The operator's main.js; default OPERATOR_MAIN (the workspace build), e.g. a packaged copy. */
  main?: string;
  /** Working directory of the process; default the repository root. */
  cwd?: string;
  /** Run the process as this user and group (switching needs a root test process). */
  user?: { uid: number; gid: number };
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OperatorProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<health port>`: `${healthUrl}/healthz`, `${healthUrl}/readyz`. */
  readonly healthUrl: string;
  /** `http://127.0.0.1:<metrics port>/metrics`. */
  readonly metricsUrl: string;
  /** Everything the process wrote to stdout and stderr. */
  readonly logFile: string;
  readonly args: readonly string[];
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once exited, else undefined. */
  exitStatus(): ExitStatus | undefined;
  /** The whole log so far. */
  logs(): string;
  /** The last `lines` lines of the log. */
  logTail(lines?: number): string;
  /** The log lines that are JSON objects, parsed. */
  logRecords(): Record<string, unknown>[];
  /** Waits until `/readyz` answers 200; fails at once if the process exits. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs` (default 30 s). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILL: no drain, no lease release (a crashed pod). */
  kill(): Promise<ExitStatus>;
  /** Deletes the log file's directory (after a passing file: nothing to look at). */
  removeLogs(): void;
}

const running = new Set<OperatorProcess>();
let exitHookInstalled = false;

/** The processes started by this worker that have not exited yet. */
export function runningOperators(): OperatorProcess[] {
  return [...running];
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A worker that dies or is torn down must not leave operators reconciling behind it.
  process.once('exit', () => {
    for (const op of running) {
      try {
        process.kill(op.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function logDir(): string {
  return mkdtempSync(join(tmpdir(), 'lynq-e2e-'));
}

/** The child's environment: nx sets FORCE_COLOR, which would put escape codes into JSON logs. */
function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env['FORCE_COLOR'];
  return env;
}

/**
 * Starts `node apps/operator/dist/main.js` as its own process group-less child, stdout and stderr
 * written straight to a log file under the OS temp dir (so the log survives a SIGKILL and a pipe
 * can never fill up), on free loopback ports for health and metrics.
 */
export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const main = options.main ?? OPERATOR_MAIN;
  if (!existsSync(main))
    throw new Error(
      `${main} does not exist: build the operator first (npx nx run @lynq/operator:build)`,
    );
  const name = options.name ?? 'operator';
  const [healthPort, metricsPort] = (await freePorts(2)) as [number, number];
  const args =
    options.rawArgs !== undefined
      ? [...options.rawArgs]
      : [
          `--kubeconfig=${options.kubeconfig}`,
          ...(options.namespace !== undefined ? [`--namespace=${options.namespace}`] : []),
          `--health-probe-bind-address=127.0.0.1:${healthPort}`,
          `--metrics-bind-address=127.0.0.1:${metricsPort}`,
          // Plain HTTP, so tests scrape without a token; metrics-secure.e2e passes =true in args.
          '--metrics-secure=false',
          ...(options.leaderElection !== undefined
            ? [
                '--leader-elect',
                `--leader-election-namespace=${options.leaderElection.namespace}`,
                `--leader-election-id=${options.leaderElection.id}`,
              ]
            : []),
          `--log-level=${options.logLevel ?? 'debug'}`,
          ...(options.args ?? []),
        ];
  const dir = logDir();
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [main, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', fd, fd],
    ...(options.user !== undefined ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  closeSync(fd);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolveExit(status);
    });
    child.once('error', () => {
      status ??= { code: null, signal: null };
      resolveExit(status);
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`could not start ${name}: ${readFileSync(logFile, 'utf8')}`);
  }
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const logs = () => readFileSync(logFile, 'utf8');
  const describeExit = (s: ExitStatus) =>
    `${name} (pid ${pid}) exited with ${s.signal !== null ? `signal ${s.signal}` : `code ${s.code}`}`;

  const op: OperatorProcess = {
    name,
    pid,
    healthUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    logFile,
    args,
    exited,
    exitStatus: () => status,
    logs,
    logTail: (lines = 60) =>
      logs()
        .split('\n')
        .slice(-lines - 1)
        .join('\n'),
    logRecords: () => {
      const out: Record<string, unknown>[] = [];
      for (const line of logs().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const value: unknown = JSON.parse(line);
          if (typeof value === 'object' && value !== null && !Array.isArray(value))
            out.push(value as Record<string, unknown>);
        } catch {
          // a line that only looks like JSON
        }
      }
      return out;
    },
    waitUntilReady: async (timeoutMs = options.readyTimeoutMs ?? 60_000) => {
      await waitFor(
        async (note) => {
          const code = await httpStatus(`${healthUrl}/readyz`);
          note(`/readyz answered ${code ?? 'nothing'}`);
          return code === 200;
        },
        {
          what: `${name} /readyz 200`,
          timeoutMs,
          intervalMs: 200,
          failFast: () => (status !== undefined ? describeExit(status) : undefined),
        },
      );
    },
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (status !== undefined) return status;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (status !== undefined) return status;
      child.kill('SIGKILL');
      return exited;
    },
    removeLogs: () => rmSync(dir, { recursive: true, force: true }),
  };
  running.add(op);
  installExitHook();
  void exited.then(() => running.delete(op));
  if (options.waitUntilReady ?? true) {
    try {
      await op.waitUntilReady();
    } catch (err) {
      await op.kill();
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- ${name} log (${logFile}) ---\n${op.logTail(80)}`,
        { cause: err },
      );
    }
  }
  return op;
}
