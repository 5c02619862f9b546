// The `lynq` command: a subcommand dispatcher.
import { Exit, type Command, type CommandIO } from './command.js';
import { terminalSafe } from './terminal.js';
import { cliVersion } from './version.js';

interface Subcommand {
  summary: string;
  /** Loaded on use: `lynq --version` or `lynq validate` do not load the cluster client. */
  load: () => Promise<{ run: Command; usage: string }>;
}

const COMMANDS: Record<string, Subcommand> = {
  validate: {
    summary: 'check LynqHubs and LynqForms as the admission webhooks would, offline',
    load: async () => {
      const m = await import('./commands/validate.js');
      return { run: m.validate, usage: m.validateUsage };
    },
  },
  plan: {
    summary: 'what a hub or form change would do: nodes and resources created, changed, deleted',
    load: async () => {
      const m = await import('./commands/plan.js');
      return { run: m.plan, usage: m.planUsage };
    },
  },
  diff: {
    summary: "a form file against the cluster: each node's objects, diffed by a server dry-run",
    load: async () => {
      const m = await import('./commands/diff.js');
      return { run: m.diff, usage: m.diffUsage };
    },
  },
  status: {
    summary: 'hub → forms → nodes → resources, with readiness and the reason',
    load: async () => {
      const m = await import('./commands/status.js');
      return { run: m.status, usage: m.statusUsage };
    },
  },
  render: {
    summary: 'render a LynqForm for rows and print the manifests',
    load: async () => {
      const m = await import('./commands/render.js');
      return { run: m.render, usage: m.renderUsage };
    },
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
export async function runCli(argv: string[], rawIO: CommandIO): Promise<number> {
  // Nothing printed may carry a control sequence to the terminal (names and messages are input).
  const io: CommandIO = {
    ...rawIO,
    stdout: (t) => rawIO.stdout(terminalSafe(t)),
    stderr: (t) => rawIO.stderr(terminalSafe(t)),
  };
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
    const topic =
      rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? COMMANDS[rest[0]] : undefined;
    io.stdout(topic ? (await topic.load()).usage : usage);
    return Exit.Ok;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.stderr(`lynq: unknown command "${name}"\n\n${usage}`);
    return Exit.Usage;
  }
  return (await cmd.load()).run(rest, io);
}
