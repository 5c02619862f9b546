// The operator as a user runs it: `node apps/operator/dist/main.js`, a child process with its
// log in a file (the same approach as e2e/src/harness/operator.ts), by default with the
// environment the image sets (imageEnvironment).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePorts, httpStatus } from '@lynq/testkit';

/** The repository root (this file is bench/e2e/src/operator.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const OPERATOR_MAIN = join(REPO_ROOT, 'apps', 'operator', 'dist', 'main.js');
export const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OperatorProcess {
  readonly pid: number;
  readonly args: readonly string[];
  readonly metricsUrl: string;
  readonly logFile: string;
  /** undefined while it runs. */
  exitStatus(): ExitStatus | undefined;
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Newest modification time of the files under `dir` (ms), 0 when there are none. */
function newest(dir: string): number {
  let max = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

/** A warning when dist is missing or older than the operator's sources; undefined when fine. */
export function staleBuildWarning(): string | undefined {
  const build = 'npx nx run @lynq/operator:build';
  if (!existsSync(OPERATOR_MAIN)) return `${OPERATOR_MAIN} does not exist: run ${build}`;
  const built = statSync(OPERATOR_MAIN).mtimeMs;
  const sources = ['apps/operator/src', 'packages/apply/src', 'packages/runtime/src'].map((d) =>
    newest(join(REPO_ROOT, d)),
  );
  return sources.some((t) => t > built)
    ? `apps/operator/dist is older than the sources of the operator, apply or runtime: run ${build} for figures of the current code`
    : undefined;
}

export async function startOperator(options: {
  kubeconfig: string;
  namespace: string;
  logFile: string;
  args: readonly string[];
  nodeOptions: readonly string[];
  /** Set in the operator's environment (the image's NODE_ENV and NODE_OPTIONS). */
  env?: Readonly<Record<string, string>>;
  readyTimeoutMs?: number;
}): Promise<OperatorProcess> {
  const [healthPort, metricsPort] = (await freePorts(2)) as [number, number];
  const args = [
    `--kubeconfig=${options.kubeconfig}`,
    // The shared cluster runs other engineers' tests and operators: watch only the bench's namespace.
    `--namespace=${options.namespace}`,
    `--health-probe-bind-address=127.0.0.1:${healthPort}`,
    `--metrics-bind-address=127.0.0.1:${metricsPort}`,
    // The bench scrapes plain HTTP without a token.
    '--metrics-secure=false',
    ...options.args,
  ];
  const fd = openSync(options.logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // nx sets FORCE_COLOR, which would put escape codes into the JSON log.
  delete env['FORCE_COLOR'];
  const child = spawn(process.execPath, [...options.nodeOptions, OPERATOR_MAIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit((status = { code, signal })));
    child.once('error', () => resolveExit((status ??= { code: null, signal: null })));
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`could not start the operator: ${readFileSync(options.logFile, 'utf8')}`);
  }
  // A bench that dies must not leave an operator reconciling behind it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const logTail = (lines = 40) =>
    readFileSync(options.logFile, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  const op: OperatorProcess = {
    pid,
    args,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    logFile: options.logFile,
    exitStatus: () => status,
    logTail,
    stop: async (graceMs = 30_000) => {
      if (status !== undefined) return status;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (status !== undefined) {
      throw new Error(
        `the operator exited during start-up (${status.signal ?? `code ${status.code}`}); log ${options.logFile}:\n${logTail()}`,
      );
    }
    if ((await httpStatus(`http://127.0.0.1:${healthPort}/readyz`)) === 200) return op;
    if (Date.now() > deadline) {
      await op.stop(5_000);
      throw new Error(
        `the operator was not ready within 60 s; log ${options.logFile}:\n${logTail()}`,
      );
    }
    await delay(100);
  }
}
