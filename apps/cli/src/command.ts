/** Where a command writes; tests capture it. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A subcommand: its arguments (after the name) → exit status. */
export type Command = (argv: string[], io: CommandIO) => number | Promise<number>;
