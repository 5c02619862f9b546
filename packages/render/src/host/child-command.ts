// The command line of a render process: the running Node binary, its permission model limited to
// reading the packages the process loads, a heap cap, and the built child entry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './protocol.js';
import { packageReadPaths } from './read-allowlist.js';

/**
 * The built entry of the render process. The permission model forbids what a TypeScript loader
 * needs (tsx starts an esbuild process), so the child always runs JavaScript: next to this module
 * when it is the built package, and the package's `dist/` when this module runs from its
 * TypeScript sources (tests, the bench), which therefore need `npm run build -w @lynq/render`.
 */
export function childEntry(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../dist/host/child.js', here)
    : new URL('./child.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path))
    throw new Error(`render process entry ${path} does not exist: build @lynq/render first`);
  return path;
}

function supports(flag: string): boolean {
  return process.allowedNodeEnvironmentFlags.has(flag);
}

/** `--permission` since Node 22.13 (and 23.5); `--experimental-permission` before. */
export function permissionFlag(): string {
  if (supports('--permission')) return '--permission';
  if (supports('--experimental-permission')) return '--experimental-permission';
  throw new Error(
    `Node ${process.version} has no permission model; the render host needs Node >= 20.19`,
  );
}

export interface ChildCommandOptions {
  memoryLimitMb: number;
  /** Whether templates may use the nunjucks syntax, whose compiled templates are JavaScript. */
  allowNunjucks: boolean;
  config: ChildConfig;
}

let readPaths: { entry: string; paths: string[] } | undefined;

/** Node flags and arguments of a render process (`process.execPath` runs them). */
export function childArgs(options: ChildCommandOptions): string[] {
  const entry = childEntry();
  if (readPaths?.entry !== entry) readPaths = { entry, paths: packageReadPaths(entry) };
  return [
    permissionFlag(),
    ...readPaths.paths.map((p) => `--allow-fs-read=${p}`),
    // Modules load by the paths the grants name (see packageReadPaths).
    '--preserve-symlinks',
    '--preserve-symlinks-main',
    `--max-old-space-size=${options.memoryLimitMb}`,
    // A render's garbage dies young, so a small young generation costs little time and saves
    // about 10 MB of resident memory per process (measured: 75 → 65 MB RSS).
    '--max-semi-space-size=2',
    // No global fetch/WebSocket (the permission model has no network switch in Node 20).
    ...(supports('--no-experimental-fetch') ? ['--no-experimental-fetch'] : []),
    // The go syntax is interpreted; only nunjucks compiles templates to JavaScript. Without it,
    // nothing in the process may turn a string into code (eval, Function), escaped or not.
    ...(options.allowNunjucks ? [] : ['--disallow-code-generation-from-strings']),
    // `__proto__` is then an ordinary key everywhere in the process.
    '--disable-proto=delete',
    ...(supports('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : []),
    entry,
    JSON.stringify(options.config),
  ];
}
