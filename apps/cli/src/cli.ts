// The `lynq` command: a subcommand dispatcher. validate, plan and diff will join render.
import type { Command, CommandIO } from './command.js';
import { render, renderUsage } from './commands/render.js';

interface Subcommand {
  run: Command;
  summary: string;
  usage: string;
}

const COMMANDS: Record<string, Subcommand> = {
  render: {
    run: render,
    summary: 'render a LynqForm for rows and print the manifests',
    usage: renderUsage,
  },
};

export const usage = `Usage: lynq <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "lynq <command> --help" for a command's options.`;

/** Runs `lynq <argv>`; returns the exit status. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`lynq: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  return cmd.run(rest, io);
}
