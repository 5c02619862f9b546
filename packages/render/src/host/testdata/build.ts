// The render process always runs built JavaScript (see childEntry), while vitest runs the
// TypeScript sources: the host tests build @lynq/api and @lynq/render first, when their sources
// are newer than their dist. Type errors are the typecheck's business (tsc --noCheck here); a
// lock directory keeps test files that start together from building at once.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const packagesDir = fileURLToPath(new URL('../../../../', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = promisify(execFile);

/** Newest modification time of the built sources under `dir` (tests and testdata excluded). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'testdata') newest = Math.max(newest, newestSource(path));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

async function buildIfStale(pkg: string, output: string): Promise<void> {
  const dir = join(packagesDir, pkg);
  if (builtAt(join(dir, output)) > newestSource(join(dir, 'src'))) return;
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: dir });
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const dist = join(packagesDir, 'render', 'dist');
  mkdirSync(dist, { recursive: true });
  const lock = join(dist, '.test-build.lock');
  const deadline = Date.now() + 100_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than any build is left over from a killed run.
      if (Date.now() - builtAt(lock) > 120_000) rmdirSync(lock);
      else if (Date.now() > deadline) throw new Error(`${lock} is held for too long`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmdirSync(lock);
  }
}

/** Builds @lynq/api and @lynq/render (with the render process entry) if their dist is stale. */
export function buildForTests(): Promise<void> {
  return withLock(async () => {
    await buildIfStale('api', 'dist/index.js');
    await buildIfStale('render', 'dist/host/child.js');
  });
}
