// The start-up and exit conventions every Lynq program shares (the operator, the dashboard):
// --help prints the usage and exits 0, a bad flag prints the reason and the usage and exits 2, a
// failure main() did not handle prints its stack and exits 1, and SIGTERM/SIGINT ask for a clean stop.

/** What a program's entry point is made of. */
export interface ProgramSpec<C> {
  /** The program's name, the prefix of what it prints to stderr (`lynq-operator`). */
  name: string;
  usage: string;
  /** Parses the command line; throws `helpRequested` for --help and `flagError` for a bad flag. */
  parseFlags: () => C;
  /** The error class `parseFlags` throws for --help. */
  helpRequested: abstract new (...args: never[]) => Error;
  /** The error class `parseFlags` throws for a flag that cannot be used as given. */
  flagError: abstract new (...args: never[]) => Error;
  /** Runs the program with its configuration; resolves with the exit code. */
  run: (config: C) => Promise<number>;
}

/** Where a program prints; the process's streams unless a test gives others. */
export interface ProgramOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Parses the flags and runs the program; sets `process.exitCode` to its exit code and resolves
 * with it. Never rejects: an error that escapes `run` (or `parseFlags`) is printed and exits 1.
 */
export async function runProgram<C>(
  spec: ProgramSpec<C>,
  output: ProgramOutput = process,
): Promise<number> {
  let code: number;
  try {
    code = await parseAndRun(spec, output);
  } catch (err) {
    output.stderr.write(
      `${spec.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    code = 1;
  }
  process.exitCode = code;
  return code;
}

async function parseAndRun<C>(spec: ProgramSpec<C>, output: ProgramOutput): Promise<number> {
  let config: C;
  try {
    config = spec.parseFlags();
  } catch (err) {
    if (err instanceof spec.helpRequested) {
      output.stdout.write(spec.usage);
      return 0;
    }
    if (err instanceof spec.flagError) {
      output.stderr.write(`${spec.name}: ${err.message}\n\n${spec.usage}`);
      return 2;
    }
    throw err;
  }
  return spec.run(config);
}

/** Resolves with the first SIGTERM or SIGINT the process receives: the request to stop cleanly. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
