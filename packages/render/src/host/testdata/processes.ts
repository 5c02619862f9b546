// Whether a process still exists, read from /proc (Linux): a zombie that nobody reaped has ended.
import { readFileSync } from 'node:fs';

export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Resolves when none of `pids` runs any more; rejects after `timeoutMs`. */
export async function waitUntilGone(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning)) {
    if (Date.now() > deadline)
      throw new Error(
        `processes still running after ${timeoutMs} ms: ${pids.filter(isRunning).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The environment a process was started with (NUL-separated in /proc). */
export function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
}

export function cmdlineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}
