/** Where a command reads and writes; tests capture it. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, read whole (for `-`). Absent: `-` is a usage error. */
  stdin?: () => Promise<string>;
  /** Whether stderr is a terminal: progress is shown there only then (or with --progress). */
  stderrIsTTY?: boolean;
  /** Environment (KUBECONFIG); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A subcommand: its arguments (after the name) → exit status. */
export type Command = (argv: string[], io: CommandIO) => number | Promise<number>;

/** Exit statuses of every command (documented in --help and the README). */
export const Exit = {
  /** Everything checked is fine / the command did what was asked. */
  Ok: 0,
  /** Findings (validation errors, a failed render, objects not ready) or a failure talking to the cluster or database. */
  Findings: 1,
  /** Bad usage: unknown flags, missing arguments, unreadable or unparseable input files. */
  Usage: 2,
} as const;

/** A usage error: the command prints it with its usage text and exits 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
