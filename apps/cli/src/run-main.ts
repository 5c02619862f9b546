// Wires a CLI run to the process: stdout/stderr, stdin for `-`, the exit status.
import type { CommandIO } from './command.js';
import { terminalSafe } from './terminal.js';

export async function runMain(run: (argv: string[], io: CommandIO) => Promise<number>) {
  const io: CommandIO = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
  try {
    process.exitCode = await run(process.argv.slice(2), io);
  } catch (err) {
    // A bug or an unexpected failure: say what, exit 1 (never a stack trace for a usage error).
    process.stderr.write(
      `lynq: ${terminalSafe(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
    );
    process.exitCode = 1;
  }
}
