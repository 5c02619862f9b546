// Reading the files a command names; `-` is standard input (read once, whatever names it twice).
import { readFile } from 'node:fs/promises';
import { UsageError, type CommandIO } from './command.js';

export const STDIN = '-';

/** The display name of an input: `<stdin>` for `-`. */
export const displayName = (path: string): string => (path === STDIN ? '<stdin>' : path);

/**
 * Reads each path (or stdin for `-`, allowed once). An unreadable file is a UsageError naming the
 * file and why.
 */
export async function readInputs(
  io: CommandIO,
  paths: readonly string[],
): Promise<{ path: string; name: string; text: string }[]> {
  if (paths.filter((p) => p === STDIN).length > 1)
    throw new UsageError('standard input (-) can be read only once');
  const out: { path: string; name: string; text: string }[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      if (!io.stdin) throw new UsageError('standard input is not available');
      out.push({ path, name: displayName(path), text: await io.stdin() });
      continue;
    }
    try {
      out.push({ path, name: path, text: await readFile(path, 'utf8') });
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a directory'
            : (err as Error).message;
      throw new UsageError(`cannot read ${path}: ${why}`);
    }
  }
  return out;
}

/** Reads one input. */
export async function readInput(
  io: CommandIO,
  path: string,
): Promise<{ path: string; name: string; text: string }> {
  const [one] = await readInputs(io, [path]);
  return one!;
}
