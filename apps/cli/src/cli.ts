// The `lynq` command: a subcommand dispatcher.
import { Exit, type Command, type CommandIO } from './command.js';
import { diff, diffUsage } from './commands/diff.js';
import { plan, planUsage } from './commands/plan.js';
import { render, renderUsage } from './commands/render.js';
import { status, statusUsage } from './commands/status.js';
import { validate, validateUsage } from './commands/validate.js';
import { cliVersion } from './version.js';

interface Subcommand {
  run: Command;
  summary: string;
  usage: string;
}

const COMMANDS: Record<string, Subcommand> = {
  validate: {
    run: validate,
    summary: 'check LynqHubs and LynqForms as the admission webhooks would, offline',
    usage: validateUsage,
  },
  plan: {
    run: plan,
    summary: 'what a hub or form change would do: nodes and resources created, changed, deleted',
    usage: planUsage,
  },
  diff: {
    run: diff,
    summary: "a form file against the cluster: each node's objects, diffed by a server dry-run",
    usage: diffUsage,
  },
  status: {
    run: status,
    summary: 'hub → forms → nodes → resources, with readiness and the reason',
    usage: statusUsage,
  },
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

Global options:
  -o, --output table|yaml|json   how results are printed (default table)
  --version                      print the version of lynq
  -h, --help                     this help; "lynq <command> --help" for a command's options
  FILE arguments may be - for standard input.

Exit status: 0 ok, 1 findings or failures (invalid objects, failed renders, resources not
ready, the cluster or database unreachable), 2 usage errors (bad flags, unreadable files).
Usage errors and progress go to stderr; results to stdout.`;

/** Runs `lynq <argv>`; returns the exit status. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(cliVersion());
    return Exit.Ok;
  }
  if (name === undefined) {
    io.stderr(usage);
    return Exit.Usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    io.stdout(topic ? topic.usage : usage);
    return Exit.Ok;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.stderr(`lynq: unknown command "${name}"\n\n${usage}`);
    return Exit.Usage;
  }
  return cmd.run(rest, io);
}
