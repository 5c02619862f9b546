// The packaged operator (issue 14, "deploy/"): the directory `npm run package:operator` writes is
// what the container image copies, and images cannot be built here, so that directory is what
// this file tests. It must hold the operator and only production dependencies (no toolchain, no
// sources or tests of this repository), and the operator must run from it as the image runs it:
// NODE_ENV=production, the image's NODE_OPTIONS, as user 65532 that can write nothing there (the
// read-only root filesystem of the chart's pod), with the render processes under Node's permission
// model reading only the packaged files, and the MySQL driver loading from it.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageEnvironment } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  Res,
  filesUnder,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
  type OperatorProcess,
} from './harness/index.js';

const s = useScenario({ name: 'package', operator: false });

/** The summary `package-operator --json` prints. */
interface PackageSummary {
  dir: string;
  entry: string;
  bytes: number;
  files: number;
  packages: number;
  workspacePackages: string[];
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The image's user (distroless `nonroot`) and environment (see the Dockerfile). */
const IMAGE_USER = { uid: 65532, gid: 65532 };
const IMAGE_ENV = imageEnvironment(join(REPO_ROOT, 'Dockerfile'));
/** Never in a production install. */
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
const TEST_FILE = /(^|\/)(__tests__|testdata|testing|test|tests)\/|\.(test|spec)\.[cm]?[jt]sx?$/;
const SOURCE_FILE = /(?<!\.d)\.[cm]?tsx?$/;

let parent = '';
let out = '';
let summary: PackageSummary;

/** Runs the packaging script, outside the repository (no parent node_modules can stand in). */
function packageInto(dir: string, timeoutMs: number): Promise<PackageSummary> {
  return new Promise((resolveRun, reject) => {
    const env = { ...process.env };
    delete env['FORCE_COLOR'];
    // e2e's nx target builds the operator and its packages first (dependsOn ^build).
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      ['tools/package-operator/package-operator.ts', '--skip-build', '--json', `--out=${dir}`],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0)
        reject(
          new Error(`package-operator exited with ${signal ?? code}:\n${stderr.slice(-6000)}`),
        );
      else resolveRun(JSON.parse(stdout) as PackageSummary);
    });
  });
}

function lockPackages(): [location: string, name: string, entry: LockEntry][] {
  const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages)
    .filter(([location]) => location !== '')
    .map(([location, entry]) => [
      location,
      location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length),
      entry,
    ]);
}

/** The process ids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return []; // gone meanwhile
  }
}

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'lynq-package-'));
  // mkdtemp makes it 0700; the image's user must be able to reach the packaged files.
  chmodSync(parent, 0o755);
  out = join(parent, 'app');
  const started = Date.now();
  summary = await packageInto(out, 300_000);
  console.info(
    `package:operator wrote ${summary.packages} packages, ${(summary.bytes / 1024 / 1024).toFixed(1)} MiB in ${summary.files} files, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}, 360_000);

afterAll(() => {
  if (parent !== '') rmSync(parent, { recursive: true, force: true });
});

describe('npm run package:operator', () => {
  it('reports its size and packs the operator with the libraries it imports', () => {
    expect(summary.bytes).toBeGreaterThan(1024 * 1024);
    expect(summary.files).toBeGreaterThan(0);
    expect(summary.entry).toBe(join(out, 'node_modules/@lynq/operator/dist/main.js'));
    expect(summary.workspacePackages).toEqual(
      expect.arrayContaining([
        '@lynq/api',
        '@lynq/apply',
        '@lynq/dashboard',
        '@lynq/datasource',
        '@lynq/datasource-mysql',
        '@lynq/datasource-postgres',
        '@lynq/graph',
        '@lynq/operator',
        '@lynq/plan',
        '@lynq/policy',
        '@lynq/render',
        '@lynq/runtime',
      ]),
    );
    // The chart runs the dashboard from this image (dashboard.command).
    expect(existsSync(join(out, 'node_modules/@lynq/dashboard/dist/main.js'))).toBe(true);
    expect(readdirSync(out).sort()).toEqual([
      'node_modules',
      'package-lock.json',
      'package.json',
      'tarballs',
    ]);
  });

  it('holds production dependencies only', () => {
    const installed = lockPackages();
    const names = new Set(installed.map(([, name]) => name));
    expect(TOOLCHAIN.filter((n) => names.has(n))).toEqual([]);
    // What the root or an installed package needs at run time; nothing else may be there. A
    // devDependency of ours (@types/node, yaml, ...) is there only when something needs it in
    // production (@kubernetes/client-node lists @types/* among its dependencies).
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as LockEntry;
    const needed = new Set(Object.keys(manifest.dependencies ?? {}));
    for (const [, , entry] of installed)
      for (const deps of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies])
        for (const name of Object.keys(deps ?? {})) needed.add(name);
    expect([...names].filter((n) => !needed.has(n))).toEqual([]);
    const types = installed.filter(([, name]) => name.startsWith('@types/'));
    for (const [location, name] of types) {
      const neededBy = installed
        .filter(([, , e]) => e.dependencies?.[name] !== undefined)
        .map(([, n]) => n);
      expect(neededBy, `${location} is installed`).not.toEqual([]);
      expect(neededBy.filter((n) => n.startsWith('@lynq/'))).toEqual([]);
    }
    console.info(
      `${installed.length} packages; @types/* present as production dependencies of third-party packages: ${types.map(([, n, e]) => `${n}@${e.version ?? '?'}`).join(', ') || 'none'}`,
    );
  });

  it('has no sources or tests of this repository', () => {
    const lynq = join(out, 'node_modules', '@lynq');
    for (const pkg of readdirSync(lynq)) {
      const files = filesUnder(join(lynq, pkg));
      expect(
        files.filter((f) => SOURCE_FILE.test(f) || TEST_FILE.test(f) || f.startsWith('src/')),
        `@lynq/${pkg}`,
      ).toEqual([]);
      expect(files.filter((f) => f.startsWith('dist/')).length, `@lynq/${pkg}`).toBeGreaterThan(0);
    }
    // Third-party packages are installed as published; some publish their tests.
    const published = filesUnder(join(out, 'node_modules')).filter(
      (f) => !f.startsWith('@lynq/') && TEST_FILE.test(f),
    );
    console.info(`third-party packages publish ${published.length} test files`);
  });
});

describe('the operator from the packaged directory', () => {
  let op: OperatorProcess;
  const runAsImageUser = process.getuid?.() === 0;

  beforeAll(async () => {
    // The image's user cannot read root's kubeconfig; it gets a copy of its own.
    const kubeconfig = join(parent, 'kubeconfig');
    copyFileSync(s.kubeconfig, kubeconfig);
    chmodSync(kubeconfig, 0o600);
    if (runAsImageUser) chownSync(kubeconfig, IMAGE_USER.uid, IMAGE_USER.gid);
    else console.warn('not root: the operator runs as the current user, not as 65532');
    const started = Date.now();
    op = await s.startOperator({
      main: summary.entry,
      cwd: out,
      kubeconfig,
      ...(runAsImageUser ? { user: IMAGE_USER } : {}),
      // HOME is a directory the process cannot write, as on a read-only root filesystem. The
      // harness passes --kubeconfig, --namespace, the health and metrics addresses and
      // --metrics-secure=false.
      env: { ...IMAGE_ENV, HOME: out },
      readyTimeoutMs: 90_000,
    });
    console.info(`the packaged operator was ready in ${Date.now() - started} ms`);
  }, 120_000);

  it.runIf(runAsImageUser)('runs as the image user', () => {
    const uids = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${op.pid}/status`, 'utf8'));
    expect(Number(uids?.[1])).toBe(IMAGE_USER.uid);
  });

  it('reconciles a MySQL-backed hub: a LynqNode Ready and its rendered object', async () => {
    await s.db.insert(s.table, [{ id: 'acme', active: '1', plan: 'gold', region: 'eu' }]);
    await s.create(
      hub({
        name: 'h',
        namespace: s.namespace,
        source: mysqlSource(s.table),
        extraValueMappings: { plan: 'plan' },
      }),
    );
    await s.create(
      form({
        name: 'f',
        namespace: s.namespace,
        hubId: 'h',
        configMaps: [configMap('cfg', { plan: '{{ .plan | upper }}', uid: '{{ .uid }}' })],
      }),
    );
    await s.nodeReady(nodeName('acme', 'f'), 90_000);
    const cm = await s.object<{ data?: Record<string, string> }>(Res.ConfigMap, 'acme-cfg');
    expect(cm.data).toEqual({ plan: 'GOLD', uid: 'acme' });
  });

  it('renders in processes under the permission model that read only the packaged files', async () => {
    // One render process runs while idle; wait out the moment one is being replaced.
    const renderers = await s.waitFor(
      (note) => {
        const found = childrenOf(op.pid)
          .map(commandLine)
          .filter((argv) => argv.some((a) => a.endsWith('/dist/host/child.js')));
        note(`${found.length} render processes`);
        return found.length > 0 ? found : undefined;
      },
      { what: 'a render process of the packaged operator', timeoutMs: 15_000 },
    );
    for (const argv of renderers) {
      expect(argv.some((a) => a === '--permission' || a === '--experimental-permission')).toBe(
        true,
      );
      const reads = argv
        .filter((a) => a.startsWith('--allow-fs-read='))
        .map((a) => a.slice('--allow-fs-read='.length));
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.filter((p) => !p.startsWith(`${out}/node_modules/`))).toEqual([]);
      expect(argv.some((a) => a.startsWith('--allow-fs-write'))).toBe(false);
      expect(argv).toContain(join(out, 'node_modules/@lynq/render/dist/host/child.js'));
    }
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await op.stop('SIGTERM', 30_000)).toEqual({ code: 0, signal: null });
  });
});
