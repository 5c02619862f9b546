// The operator as a child process, its JSON log going to a file that the live table reads errors from.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

export interface OperatorOptions {
  /** apps/operator/dist/main.js */
  main: string;
  kubeconfig: string;
  namespace: string;
  logFile: string;
}

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** The text of an error line of the operator's log, or undefined for any other line. */
export function errorFromLogLine(line: string): string | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    // Not a log entry: a crash's stack trace or a Node warning; only the former is an error.
    return /error|fatal|uncaught/i.test(text) ? text : undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const fields = entry as Record<string, unknown>;
  if (fields['level'] !== 'error') return undefined;
  const field = (key: string) => (typeof fields[key] === 'string' ? fields[key] : '');
  const time = field('time').slice(11, 19);
  // The runtime's `reconcile failed` names the controller and the object.
  const object = [field('namespace'), field('name')].filter((p) => p !== '').join('/');
  const where = [field('controller'), object].filter((p) => p !== '').join(' ');
  const detail = fields['error'] ?? fields['err'];
  const parts = [time, field('msg'), where === '' ? '' : `(${where})`];
  if (detail !== undefined) {
    parts.push(`- ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** A free TCP port on loopback for the operator's health probes. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export class OperatorProcess {
  private status: ExitStatus | undefined;
  private logOffset = 0;
  private partialLine = '';
  /** The last error line read from the log so far. */
  lastError: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
    /** Resolves when the process has exited. */
    readonly exited: Promise<ExitStatus>,
  ) {
    void exited.then((status) => (this.status = status));
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = openSync(options.logFile, 'w');
    const healthPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        options.main,
        `--kubeconfig=${options.kubeconfig}`,
        `--namespace=${options.namespace}`,
        `--health-probe-bind-address=127.0.0.1:${healthPort}`,
        '--metrics-bind-address=0',
        '--log-level=info',
      ],
      // Its own process group: Ctrl-C reaches only the demo, which then stops the operator with
      // SIGTERM and waits, as a process manager would.
      { stdio: ['ignore', log, log], detached: true },
    );
    closeSync(log);
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 127, signal: null }));
    });
    return new OperatorProcess(child, options.logFile, exited);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Sends SIGTERM and waits; SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<ExitStatus> {
    if (this.status !== undefined) return this.status;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  /** Kills it at once (a second Ctrl-C). */
  kill(): void {
    if (this.status === undefined) this.child.kill('SIGKILL');
  }

  /** Reads what the operator logged since the last call and updates lastError. */
  readLog(): void {
    const fd = openSync(this.logFile, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.logOffset) return;
      const chunk = Buffer.alloc(size - this.logOffset);
      readSync(fd, chunk, 0, chunk.length, this.logOffset);
      this.logOffset = size;
      const lines = (this.partialLine + chunk.toString('utf8')).split('\n');
      this.partialLine = lines.pop() ?? '';
      for (const line of lines) this.lastError = errorFromLogLine(line) ?? this.lastError;
    } finally {
      closeSync(fd);
    }
  }
}
