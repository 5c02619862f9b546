// `npm run package:operator [-- --out DIR] [--skip-build] [--json]`
//
// Writes the self-contained directory the container image copies (see the Dockerfile at the
// repository root): the operator and only its production dependencies, installed the way a user of
// the published packages gets them.
//
//   DIR/package.json        depends on the workspace packages the operator needs, as tarballs
//   DIR/package-lock.json   every installed version, with integrity (npm ci reproduces DIR)
//   DIR/tarballs/*.tgz      `npm pack` of @lynq/operator, @lynq/dashboard and the libraries they import
//   DIR/node_modules/       `npm install --omit=dev` of the above
//
// The entry is DIR/node_modules/@lynq/operator/dist/main.js. Third-party packages are pinned to
// the versions of the repository's package-lock.json (the versions CI tested): the install starts
// from a lock seeded with those entries, and a version that differs fails the run.
//
// e2e/src/publish.e2e.test.ts reuses the workspace listing, the npm environment and the entry-point
// check for every public package.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ENTRY_PACKAGE = '@lynq/operator';
/** Also in the image: the chart runs the dashboard from the operator's image (docs/dashboard.md). */
const COMPANION_PACKAGES = ['@lynq/dashboard'];
const IMAGE_PACKAGE = 'lynq-operator-image';
/** The operator's entry inside the packaged directory (the Dockerfile's ENTRYPOINT names it). */
export const ENTRY_PATH = 'node_modules/@lynq/operator/dist/main.js';
/** The export condition that points in-repository tools at TypeScript sources (never packed). */
const SOURCE_CONDITION = '@lynq/source';
/** Tools of the workspace that no production install may contain. */
const TOOLCHAIN = [
  'typescript',
  'vitest',
  'nx',
  'eslint',
  'tsx',
  'prettier',
  'esbuild',
  'fast-check',
  '@lynq/testkit',
];
const TEST_FILE = /(^|\/)(__tests__|testdata|testing)\/|\.(test|spec|int\.test)\.[cm]?[jt]sx?$/;

class PackageError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = 'PackageError';
  }
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  resolved?: string;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  extraneous?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface Workspace {
  /** Relative to the repository root, `/`-separated: `packages/api`. */
  dir: string;
  pkg: PackageJson;
}

interface PackedTarball {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

export interface PackageSummary {
  dir: string;
  entry: string;
  bytes: number;
  files: number;
  /** Installed packages (every node_modules entry of the lock). */
  packages: number;
  workspacePackages: string[];
  node: string;
}

interface Options {
  out: string;
  build: boolean;
  json: boolean;
}

const USAGE = `Usage: npm run package:operator -- [--out DIR] [--skip-build] [--json]
  --out DIR       where to write the directory (default dist/operator-image); replaced if it
                  holds an earlier output, refused if it holds anything else
  --skip-build    do not run nx (the workspace packages must be built already)
  --json          print the summary as JSON on stdout (progress goes to stderr)
`;

function log(message: string): void {
  process.stderr.write(`package-operator: ${message}\n`);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    out: join(REPO_ROOT, 'dist', 'operator-image'),
    build: true,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg];
    if (flag === '--out') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '')
        throw new PackageError('flags', '--out needs a directory');
      options.out = resolve(process.cwd(), value);
    } else if (arg === '--skip-build') options.build = false;
    else if (arg === '--json') options.json = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new PackageError('flags', `unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return options;
}

/** The environment of a nested npm: without what `npm run` exports about the workspace root. */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env))
    if (
      /^npm_(lifecycle_|package_|command$)/i.test(key) ||
      /^npm_config_(prefix|local_prefix|global|workspaces?|include_workspace_root|call|omit|include|dry_run|json|ignore_scripts)$/i.test(
        key,
      )
    )
      delete env[key];
  delete env['FORCE_COLOR'];
  return env;
}

function run(
  step: string,
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions & { capture?: boolean } = {},
): string {
  const { capture = false, ...spawnOptions } = options;
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: npmEnv(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // Progress of the tools goes to stderr, so that stdout carries only the summary.
    stdio: ['ignore', capture ? 'pipe' : 2, capture ? 'pipe' : 2],
    ...spawnOptions,
  });
  if (result.error !== undefined)
    throw new PackageError(step, `${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const stderr = typeof result.stderr === 'string' ? result.stderr.trim() : '';
    const stdout = typeof result.stdout === 'string' ? result.stdout.trim().slice(0, 4000) : '';
    throw new PackageError(
      step,
      `${command} ${args.join(' ')} exited with ${result.signal ?? result.status}${stderr ? `\n${stderr}` : ''}${stdout ? `\n${stdout}` : ''}`,
    );
  }
  return typeof result.stdout === 'string' ? result.stdout : '';
}

/** Workspace packages by name, from the root package.json's `workspaces` (`dir` or `dir/*`). */
export function readWorkspaces(): Map<string, Workspace> {
  const root = readJson<PackageJson>(join(REPO_ROOT, 'package.json'));
  const byName = new Map<string, Workspace>();
  for (const pattern of root.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? existsSync(join(REPO_ROOT, pattern.slice(0, -2)))
        ? readdirSync(join(REPO_ROOT, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
        : []
      : [pattern];
    for (const dir of dirs) {
      const file = join(REPO_ROOT, dir, 'package.json');
      if (existsSync(file)) {
        const pkg = readJson<PackageJson>(file);
        byName.set(pkg.name, { dir, pkg });
      }
    }
  }
  return byName;
}

function runtimeDependencies(
  pkg: PackageJson | LockEntry,
): [name: string, spec: string, required: boolean][] {
  const optionalPeer = (name: string) => pkg.peerDependenciesMeta?.[name]?.optional === true;
  return [
    ...Object.entries(pkg.dependencies ?? {}).map(
      ([n, s]) => [n, s, true] as [string, string, boolean],
    ),
    ...Object.entries(pkg.optionalDependencies ?? {}).map(
      ([n, s]) => [n, s, false] as [string, string, boolean],
    ),
    ...Object.entries(pkg.peerDependencies ?? {}).map(
      ([n, s]) => [n, s, !optionalPeer(n)] as [string, string, boolean],
    ),
  ];
}

/** Whether a dependency spec accepts the workspace's version (npm would otherwise ask the registry). */
function acceptsVersion(spec: string, version: string): boolean {
  const base = spec.replace(/^[\^~=]/, '');
  return spec === '*' || spec === version || base === version;
}

/** The entry package and every workspace package it depends on, transitively, in a stable order. */
function workspaceClosure(workspaces: Map<string, Workspace>): Workspace[] {
  const found = new Map<string, Workspace>();
  const visit = (name: string, from: string) => {
    if (found.has(name)) return;
    const ws = workspaces.get(name);
    if (ws === undefined)
      throw new PackageError('workspaces', `${from} names ${name}, which is no workspace`);
    if (ws.pkg.private === true)
      throw new PackageError(
        'workspaces',
        `${name} (${ws.dir}) is private, but ${from} depends on it in production: it could never be installed from a registry`,
      );
    found.set(name, ws);
    for (const [dep, spec] of runtimeDependencies(ws.pkg)) {
      const target = workspaces.get(dep);
      if (target === undefined) continue;
      if (!acceptsVersion(spec, target.pkg.version))
        throw new PackageError(
          'workspaces',
          `${name} depends on ${dep}@${spec}, but the workspace has ${target.pkg.version}`,
        );
      visit(dep, name);
    }
  };
  visit(ENTRY_PACKAGE, 'the operator image');
  for (const name of COMPANION_PACKAGES) visit(name, 'the operator image');
  return [...found.values()].sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
}

/** Every file a package's exports, main, types and bin point at (`dist/index.js`). */
export function entryFiles(pkg: PackageJson): string[] {
  const files = new Set<string>();
  const add = (target: string) => files.add(target.replace(/^\.\//, ''));
  const walk = (value: unknown, condition: string | undefined) => {
    if (condition === SOURCE_CONDITION) return;
    if (typeof value === 'string') add(value);
    else if (Array.isArray(value)) for (const v of value) walk(v, undefined);
    else if (typeof value === 'object' && value !== null)
      for (const [key, v] of Object.entries(value)) walk(v, key.startsWith('.') ? undefined : key);
  };
  walk(pkg.exports, undefined);
  if (pkg.main !== undefined) add(pkg.main);
  if (pkg.types !== undefined) add(pkg.types);
  if (typeof pkg.bin === 'string') add(pkg.bin);
  else for (const target of Object.values(pkg.bin ?? {})) add(target);
  return [...files].filter((f) => !f.includes('*'));
}

/** `npm pack` of the closure into `dir`; each tarball must hold its entry points and no test file. */
function pack(closure: Workspace[], dir: string): PackedTarball[] {
  const stdout = run(
    'pack',
    'npm',
    [
      'pack',
      // The packages were just built (or --skip-build says they are): a prepack would build again.
      '--ignore-scripts',
      '--json',
      '--pack-destination',
      dir,
      ...closure.flatMap((ws) => ['--workspace', ws.pkg.name]),
    ],
    { capture: true },
  );
  const packed = JSON.parse(stdout) as PackedTarball[];
  for (const ws of closure) {
    const tarball = packed.find((p) => p.name === ws.pkg.name);
    if (tarball === undefined)
      throw new PackageError('pack', `npm pack did not pack ${ws.pkg.name}`);
    const paths = new Set(tarball.files.map((f) => f.path));
    const missing = entryFiles(ws.pkg).filter((f) => !paths.has(f));
    if (missing.length > 0)
      throw new PackageError(
        'pack',
        `${ws.pkg.name} packs without ${missing.join(', ')}: build it first (npx nx run ${ws.pkg.name}:build)`,
      );
    const tests = [...paths].filter((p) => TEST_FILE.test(p));
    if (tests.length > 0)
      throw new PackageError(
        'pack',
        `${ws.pkg.name} packs test files: ${tests.slice(0, 5).join(', ')}`,
      );
  }
  return packed;
}

/** `a/node_modules/b` → `a`; `node_modules/b` and a workspace directory → `` (the root). */
function parentLocation(location: string): string {
  const i = location.lastIndexOf('/node_modules/');
  return i >= 0 ? location.slice(0, i) : '';
}

/** Where Node (and npm) find `name` from `from` in the tree the lock describes. */
function resolveInLock(lock: Lockfile, from: string, name: string): string | undefined {
  for (let location = from; ; location = parentLocation(location)) {
    const candidate = location === '' ? `node_modules/${name}` : `${location}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (location === '') return undefined;
  }
}

/**
 * The repository lock's entries for the third-party packages the closure loads, at the places they
 * take once the workspace packages are installed under node_modules/@lynq/* instead of linked:
 * `packages/render/node_modules/x` becomes `node_modules/@lynq/render/node_modules/x`.
 */
function seedEntries(lock: Lockfile, closure: Workspace[]): Record<string, LockEntry> {
  const inClosure = new Set(closure.map((ws) => ws.pkg.name));
  const moved = (location: string) => {
    for (const ws of closure)
      if (location.startsWith(`${ws.dir}/`))
        return `node_modules/${ws.pkg.name}/${location.slice(ws.dir.length + 1)}`;
    return location;
  };
  const seeds: Record<string, LockEntry> = {};
  const visit = (location: string, deps: [string, string, boolean][], owner: string) => {
    for (const [name, , required] of deps) {
      const found = resolveInLock(lock, location, name);
      if (found === undefined) {
        if (required)
          throw new PackageError(
            'lock',
            `package-lock.json has no ${name} for ${owner}: run npm install at the repository root`,
          );
        continue;
      }
      const entry = lock.packages[found] as LockEntry;
      if (entry.link === true) {
        if (!inClosure.has(name))
          throw new PackageError(
            'lock',
            `${owner} loads the workspace package ${name}, which is not packed`,
          );
        continue;
      }
      const target = moved(found);
      if (seeds[target] !== undefined) continue;
      const {
        dev: _dev,
        devOptional: _devOptional,
        peer: _peer,
        extraneous: _extraneous,
        ...kept
      } = entry;
      seeds[target] = kept;
      visit(found, runtimeDependencies(entry), `${name}@${entry.version ?? '?'}`);
    }
  };
  for (const ws of closure) visit(ws.dir, runtimeDependencies(ws.pkg), ws.pkg.name);
  return Object.fromEntries(Object.entries(seeds).sort(([a], [b]) => a.localeCompare(b)));
}

function nameOfLocation(location: string): string {
  return location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Apparent size and file count of a tree, links not followed. */
function measure(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        bytes += lstatSync(path).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** Refuses to delete a directory that is not an earlier output (a mistyped --out). */
function prepareOut(out: string): void {
  if (existsSync(out)) {
    const contents = readdirSync(out);
    const manifest = join(out, 'package.json');
    const ours =
      contents.length === 0 ||
      (existsSync(manifest) && readJson<PackageJson>(manifest).name === IMAGE_PACKAGE);
    if (!ours)
      throw new PackageError(
        'output',
        `${out} exists and is not an earlier output of package:operator; choose another --out or remove it`,
      );
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(join(out, 'tarballs'), { recursive: true });
}

export function packageOperator(options: Options): PackageSummary {
  const started = Date.now();
  const workspaces = readWorkspaces();
  const closure = workspaceClosure(workspaces);
  const operator = workspaces.get(ENTRY_PACKAGE) as Workspace;
  log(`${closure.length} workspace packages: ${closure.map((ws) => ws.pkg.name).join(', ')}`);

  if (options.build) {
    log(
      `building with nx (${[ENTRY_PACKAGE, ...COMPANION_PACKAGES].join(', ')} and what they depend on)`,
    );
    run('build', join(REPO_ROOT, 'node_modules', '.bin', 'nx'), [
      'run-many',
      '-t',
      'build',
      '-p',
      ENTRY_PACKAGE,
      ...COMPANION_PACKAGES,
      '--output-style=stream',
    ]);
  }

  const out = options.out;
  prepareOut(out);
  const packed = pack(closure, join(out, 'tarballs'));
  log(`packed ${packed.length} tarballs into ${join(out, 'tarballs')}`);

  // Every workspace package is a direct dependency, so that npm takes each from its tarball (the
  // libraries' `"@lynq/api": "0.1.0"` is then satisfied at the top) instead of asking the registry.
  const dependencies = Object.fromEntries(
    packed
      .map((p) => [p.name, `file:tarballs/${p.filename}`] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const manifest = {
    name: IMAGE_PACKAGE,
    version: operator.pkg.version,
    private: true,
    description: `The Lynq operator and its production dependencies as the container image holds them; entry ${ENTRY_PATH}. Written by npm run package:operator.`,
    license: 'Apache-2.0',
    engines: { node: '>=20.19' },
    dependencies,
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const rootLock = readJson<Lockfile>(join(REPO_ROOT, 'package-lock.json'));
  const seeds = seedEntries(rootLock, closure);
  const seededLock: Lockfile = {
    name: IMAGE_PACKAGE,
    version: operator.pkg.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: IMAGE_PACKAGE,
        version: operator.pkg.version,
        license: 'Apache-2.0',
        dependencies,
      },
      ...seeds,
    },
  };
  writeFileSync(join(out, 'package-lock.json'), `${JSON.stringify(seededLock, null, 2)}\n`);
  log(
    `installing (${Object.keys(seeds).length} third-party packages pinned by the repository's lock)`,
  );
  run(
    'install',
    'npm',
    [
      'install',
      '--omit=dev',
      // No dependency of the operator needs an install script; none runs.
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
    ],
    { cwd: out },
  );

  // The versions installed must be the ones the repository's lock (and so CI) has.
  const lock = readJson<Lockfile>(join(out, 'package-lock.json'));
  const pinned = new Set(
    Object.entries(seeds).map(([loc, e]) => `${nameOfLocation(loc)}@${e.version}`),
  );
  const workspaceNames = new Set(closure.map((ws) => ws.pkg.name));
  const installed = Object.entries(lock.packages).filter(([loc]) => loc !== '');
  const drift = installed
    .filter(([loc]) => !workspaceNames.has(nameOfLocation(loc)))
    .map(([loc, e]) => `${nameOfLocation(loc)}@${e.version ?? '?'}`)
    .filter((id) => !pinned.has(id));
  if (drift.length > 0)
    throw new PackageError(
      'install',
      `installed versions the repository's package-lock.json does not have: ${drift.join(', ')}`,
    );
  const toolchain = installed
    .map(([loc]) => nameOfLocation(loc))
    .filter((n) => TOOLCHAIN.includes(n));
  if (toolchain.length > 0)
    throw new PackageError('install', `development tools were installed: ${toolchain.join(', ')}`);
  // Missing, invalid or extraneous packages make npm ls fail.
  run('verify', 'npm', ['ls', '--all', '--omit=dev', '--parseable'], { cwd: out, capture: true });
  // Every module of the operator loads (--help returns before any connection is made).
  run('verify', process.execPath, [join(out, ENTRY_PATH), '--help'], {
    cwd: out,
    capture: true,
    env: { ...npmEnv(), NODE_ENV: 'production', NODE_OPTIONS: '--max-semi-space-size=4' },
  });

  const size = measure(out);
  const summary: PackageSummary = {
    dir: out,
    entry: join(out, ENTRY_PATH),
    bytes: size.bytes,
    files: size.files,
    packages: installed.length,
    workspacePackages: closure.map((ws) => ws.pkg.name),
    node: process.version,
  };
  log(
    `wrote ${out}: ${summary.packages} packages (${closure.length} of this repository), ${(size.bytes / 1024 / 1024).toFixed(1)} MiB in ${size.files} files, in ${((Date.now() - started) / 1000).toFixed(0)} s; entry ${ENTRY_PATH}`,
  );
  return summary;
}

function main(): void {
  try {
    const options = parseArgs(process.argv.slice(2));
    const summary = packageOperator(options);
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (err) {
    if (err instanceof PackageError) {
      log(err.message);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main();
