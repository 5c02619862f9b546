// Runs the CLI in-process with captured output (tests only; not part of the build's entry).
import { runCli } from './cli.js';

export async function run(argv: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    ...(stdin !== undefined ? { stdin: () => Promise.resolve(stdin) } : {}),
    stderrIsTTY: false,
  });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

export const examples = new URL('../examples/', import.meta.url).pathname;
