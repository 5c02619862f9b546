import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { TestkitError, errorMessage } from './errors.js';

/** Ports below the kernel's range for outgoing connections are chosen from here up. */
const LISTENER_PORTS_FROM = 20_000;

/** The first local port Linux gives outgoing connections, or undefined where it cannot be read. */
function ephemeralPortsFrom(): number | undefined {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : undefined;
  } catch {
    // Not Linux (or no /proc): the kernel then picks the port, as it always did.
    return undefined;
  }
}

/** Listens on `port` of 127.0.0.1 (0: any) and closes again; resolves with the port, or 0. */
function tryListen(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolvePort(0) : reject(err),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(bound));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1, for a listener that a process binds later. Where the kernel's range
 * for outgoing connections leaves room below it, the port comes from there: a port of that range
 * can be handed to a client socket between this check and the listener's bind (EADDRINUSE under a
 * busy test run). Otherwise the kernel picks one.
 */
export async function freePort(): Promise<number> {
  const ephemeral = ephemeralPortsFrom();
  if (ephemeral !== undefined && ephemeral - LISTENER_PORTS_FROM >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port =
        LISTENER_PORTS_FROM + Math.floor(Math.random() * (ephemeral - LISTENER_PORTS_FROM));
      if ((await tryListen(port)) === port) return port;
    }
  }
  const port = await tryListen(0);
  if (port === 0)
    throw new TestkitError('START_FAILED', 'the kernel gave no free port on 127.0.0.1');
  return port;
}

/**
 * Whether process `pid` holds a listening TCP socket on `port`, read from /proc; undefined where
 * that cannot be told (no /proc, a /proc that does not show the listener, descriptors we may not
 * read). A health check alone cannot tell our component from another process's server that took
 * the port first.
 */
export function listensOn(pid: number, port: number): boolean | undefined {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  let tables = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6, or no /proc at all (then the answer is undefined)
    }
    tables++;
    for (const line of text.split('\n').slice(1)) {
      // sl, local address, remote address, state (0A: LISTEN), ..., inode (10th column)
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(suffix) === true && fields[3] === '0A' && fields[9] !== undefined)
        inodes.add(fields[9]);
    }
  }
  // Something answers on the port when this is asked: a table without it cannot be read here.
  if (tables === 0 || inodes.size === 0) return undefined;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return undefined;
    return false; // the process is gone
  }
  return fds.some((fd) => {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      return inode !== undefined && inodes.has(inode);
    } catch {
      return false; // the descriptor closed while we looked
    }
  });
}

/** Distinct free ports (the kernel may hand the same port out twice after it was closed). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export interface ProcessRecord {
  pid: number;
  exe: string;
  args: string[];
  log: string;
}

/**
 * True when `pid` is alive and is still the program we started (argv[0] matches), so a recycled
 * PID never makes us signal somebody else's process.
 */
export function isOurProcess(record: Pick<ProcessRecord, 'pid' | 'exe'>): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    const argv0 = cmdline.split('\0')[0] ?? '';
    return argv0 === record.exe;
  } catch {
    // No /proc (not Linux): fall back to the liveness check above.
    return process.platform !== 'linux';
  }
}

/** Starts a long-running component detached from this process, stdout+stderr appended to `log`. */
export function startDetached(exe: string, args: string[], log: string): ProcessRecord {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(exe, args, { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    if (child.pid === undefined) {
      throw new TestkitError('START_FAILED', `could not start ${exe} (see ${log})`);
    }
    child.on('error', () => undefined);
    child.unref();
    return { pid: child.pid, exe, args, log };
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Only ever called with records we wrote. */
export async function stopProcess(record: ProcessRecord, graceMs = 10_000): Promise<void> {
  if (!isOurProcess(record)) return;
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(record)) return;
    await delay(100);
  }
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    return;
  }
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline && isOurProcess(record)) await delay(100);
}

/** Resident set size of a process in KiB (0 when it is gone). */
export function rssKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] !== undefined ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Skip server verification (components with self-signed serving certs). */
  insecure?: boolean;
}

export interface HttpResult {
  status: number;
  body: string;
}

/** One GET with a short timeout; never throws for HTTP errors, only for connection failures. */
export function httpGet(
  url: string,
  tls: TlsMaterial = {},
  timeoutMs = 3_000,
): Promise<HttpResult> {
  return new Promise((resolveResult, reject) => {
    const isHttps = url.startsWith('https:');
    const options = isHttps
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.insecure !== true,
          timeout: timeoutMs,
        }
      : { timeout: timeoutMs };
    const req = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolveResult({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked on every round; a string aborts the wait with that reason (e.g. the process died). */
  abort?: () => string | undefined;
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw new TestkitError('NOT_READY', `${what}: ${aborted}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = errorMessage(err);
    }
    if (Date.now() >= deadline) {
      throw new TestkitError(
        'NOT_READY',
        `${what}: not ready after ${options.timeoutMs} ms${last !== '' ? ` (last error: ${last})` : ''}`,
      );
    }
    await delay(options.intervalMs ?? 200);
  }
}

/**
 * The HTTP status of a GET (body read and dropped), or undefined when nothing answered within
 * `timeoutMs`: how tests and benches poll a process's /readyz.
 */
export async function httpStatus(url: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}
