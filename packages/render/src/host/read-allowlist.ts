// The files a render process may read: its own package's built files and those of every package
// it imports, found the way Node finds them (node_modules directories up the tree), nothing else.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

interface PackageJson {
  name?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The nearest directory at or above `from` that holds a package.json. */
export function packageRootOf(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${from}`);
  }
}

/** Where Node would find package `name` when imported from a file in `fromDir`. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function insideNodeModules(path: string): boolean {
  return path.split(sep).includes('node_modules');
}

/**
 * Keeps only the outermost paths: Node 20's permission tree denies a directory that is granted
 * when a path inside it is granted too, and the inner grant adds nothing.
 */
function outermost(paths: Iterable<string>): string[] {
  const all = new Set(paths);
  const covered = (p: string) => {
    for (let d = dirname(p); d !== dirname(d); d = dirname(d)) if (all.has(d)) return true;
    return false;
  };
  return [...all].filter((p) => !covered(p)).sort();
}

/**
 * Paths to pass as `--allow-fs-read` so that `entry` can load, for a process that runs with
 * `--preserve-symlinks` (see childArgs): every package in the closure of `dependencies` (and
 * installed `optionalDependencies`) of the package that holds `entry`, at the path Node resolves
 * it to. An installed package is exactly its published files, so its directory is granted; a
 * workspace package (a linked source directory) is granted its package.json and `files` (the
 * build output) only. Links are not followed: the permission model compares paths as spelled,
 * and following them would need a grant for every linked directory on the way.
 */
export function packageReadPaths(entry: string): string[] {
  const paths: string[] = [];
  const seen = new Set<string>();
  const visit = (location: string) => {
    if (seen.has(location)) return;
    seen.add(location);
    const pkg = readPackageJson(location);
    if (!insideNodeModules(realpathSync(location)) && pkg.files)
      for (const f of ['package.json', ...pkg.files])
        paths.push(join(location, f.replace(/\/\*\*$|\/$/, '')));
    else paths.push(location);
    const deps = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => [name, true] as const),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => [name, false] as const),
    ];
    for (const [name, required] of deps) {
      const dir = resolvePackageDir(name, location);
      if (dir !== undefined) visit(dir);
      else if (required)
        throw new Error(`${pkg.name ?? location} depends on ${name}, which is not installed`);
    }
  };
  visit(packageRootOf(dirname(entry)));
  return outermost(paths);
}
