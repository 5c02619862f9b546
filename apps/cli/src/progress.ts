// Progress of long runs on stderr: only on a terminal, or when asked for (--progress), so that
// scripts and CI logs get stdout's result and nothing else.
import type { CommandIO } from './command.js';

export interface Progress {
  say(message: string): void;
}

export function progress(io: CommandIO, forced: boolean | undefined): Progress {
  const on = forced === true || io.stderrIsTTY === true;
  return { say: (message) => (on ? io.stderr(`… ${message}`) : undefined) };
}
