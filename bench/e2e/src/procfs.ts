// CPU and memory of a process and its descendants (the operator and its render processes), read
// from /proc (Linux only).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!(ticksPerSecond > 0)) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: its children that have exited and were waited for. */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(fields[i] ?? 0);
  return { ppid: n(1), own: n(11) + n(12), reaped: n(13) + n(14) };
}

/** `root` and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid);
    if (list === undefined) children.set(stat.ppid, [Number(entry)]);
    else list.push(Number(entry));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? 0) ?? []));
  return tree;
}

/**
 * CPU seconds used so far by `root` and its descendants: the live processes' own time plus what
 * the root's reaped children used (a render process that ended keeps counting).
 */
export function treeCpuSeconds(root: number): number {
  let ticks = readStat(root)?.reaped ?? 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.own ?? 0;
  return ticks / clockTicks();
}

/** CPU seconds used so far by one process (not its children). */
export function cpuSeconds(pid: number): number {
  return (readStat(pid)?.own ?? 0) / clockTicks();
}

function statusKiB(pid: number, field: string, file: 'status' | 'smaps_rollup'): number {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match?.[1] !== undefined ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export const rssKiB = (pid: number) => statusKiB(pid, 'VmRSS', 'status');

/**
 * Proportional set size of the tree: each shared page split between the processes that map it,
 * so summing counts it once, as a container's memory cgroup is charged.
 */
export function treePssKiB(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + statusKiB(pid, 'Pss', 'smaps_rollup'), 0);
}

export interface MemorySample {
  /** Milliseconds since the sampler started. */
  t: number;
  rssKiB: number;
  pssKiB: number;
  processes: number;
}

/** Samples the main process's RSS and the tree's PSS every `intervalMs`. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  readonly samples: MemorySample[] = [];
  peakRssKiB = 0;
  peakPssKiB = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): MemorySample {
    const first = this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return first;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): MemorySample {
    const tree = processTree(this.pid);
    const s: MemorySample = {
      t: Date.now() - this.started,
      rssKiB: rssKiB(this.pid),
      pssKiB: tree.reduce((sum, pid) => sum + statusKiB(pid, 'Pss', 'smaps_rollup'), 0),
      processes: tree.length,
    };
    // A process that just exited reads as 0; it is no sample of the operator.
    if (s.rssKiB === 0) return s;
    this.samples.push(s);
    this.peakRssKiB = Math.max(this.peakRssKiB, s.rssKiB);
    this.peakPssKiB = Math.max(this.peakPssKiB, s.pssKiB);
    return s;
  }
}
