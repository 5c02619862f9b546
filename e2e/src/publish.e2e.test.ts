// What a user of the published packages gets (issue 15, "Packages that publish on their own").
// Every public package (the `release.projects` of nx.json) is packed as `npm publish` would pack
// it (its prepack build is checked, not run: see beforeAll), and the tarballs are installed into projects outside the workspace:
// no workspace links, third-party packages from the registry. There each package is imported as
// ESM, a TypeScript file using them is type-checked by tsc (strict, NodeNext), a form is rendered
// with @lynq/render and nothing else of Lynq but the @lynq/api it depends on, and `npx lynq
// --version` runs. No cluster is needed.
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryFiles,
  npmEnv,
  readWorkspaces,
  type PackageJson,
  type Workspace,
} from '../../tools/package-operator/package-operator.js';
import { REPO_ROOT, filesUnder } from './harness/index.js';

interface PublicManifest extends PackageJson {
  license?: string;
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string };
  bugs?: { url?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  files?: string[];
}

interface PackedTarball {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

interface SourceMap {
  sources: string[];
  sourcesContent?: (string | null)[];
}

/** The peers the contract of issue 15 agrees on, one range everywhere. */
const PEERS: Record<string, Record<string, string>> = {
  '@lynq/runtime': { '@kubernetes/client-node': '^1.4.0', 'prom-client': '^15.1.3' },
  '@lynq/apply': { '@kubernetes/client-node': '^1.4.0' },
  '@lynq/sdk': { '@kubernetes/client-node': '^1.4.0' },
};
const TEST_FILE = /(^|\/)(__tests__|testdata)\/|\.(test|spec)\.[cm]?[jt]sx?$/;

let parent = '';
let tarballs = '';
let packed: PackedTarball[] = [];
let publicPackages: Workspace[] = [];

/** Runs a command to its end; rejects with its output when it fails or outlives `timeoutMs`. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? npmEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(stdout);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${options.cwd}) exited with ${signal ?? code}:\n${stderr.slice(-6000)}\n${stdout.slice(-100_000)}`,
          ),
        );
    });
  });
}

/** The public packages: the directories `release.projects` of nx.json names. */
function releaseProjects(): Workspace[] {
  const nx = JSON.parse(readFileSync(join(REPO_ROOT, 'nx.json'), 'utf8')) as {
    release?: { projects?: string[] };
  };
  const patterns = nx.release?.projects ?? [];
  const matches = (dir: string, pattern: string) =>
    pattern.endsWith('/*')
      ? dir.startsWith(pattern.slice(0, -1)) && !dir.slice(pattern.length - 1).includes('/')
      : dir === pattern;
  return [...readWorkspaces().values()]
    .filter(
      (ws) =>
        patterns.some((p) => !p.startsWith('!') && matches(ws.dir, p)) &&
        !patterns.some((p) => p.startsWith('!') && matches(ws.dir, p.slice(1))),
    )
    .sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
}

/** A project outside the workspace depending on the given tarballs (and dev tools). */
async function scratchProject(
  name: string,
  dependencies: Record<string, string>,
  devDependencies: Record<string, string> = {},
): Promise<string> {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '0.0.0', private: true, type: 'module', dependencies, devDependencies }, null, 2)}\n`,
  );
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline'],
    { cwd: dir, timeoutMs: 300_000 },
  );
  return dir;
}

function tarballOf(name: string): string {
  const tarball = packed.find((p) => p.name === name);
  if (tarball === undefined) throw new Error(`${name} was not packed`);
  return `file:${join(tarballs, tarball.filename)}`;
}

/** The version the repository's lock resolved for a root dev tool (tsc of the tested range). */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`package-lock.json has no ${name}`);
  return version;
}

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'lynq-publish-'));
  tarballs = join(parent, 'tarballs');
  mkdirSync(tarballs);
  publicPackages = releaseProjects();
  const started = Date.now();
  // As `npm publish` packs, but without the prepack script (`nx run <pkg>:build`, checked below):
  // the e2e target has built every package already (dependsOn ^build), and a rebuild here would
  // empty dist/ under the operators the other e2e files run at the same time.
  const stdout = await run(
    'npm',
    [
      'pack',
      '--json',
      '--ignore-scripts',
      '--pack-destination',
      tarballs,
      ...publicPackages.flatMap((ws) => ['--workspace', ws.pkg.name]),
    ],
    { cwd: REPO_ROOT, timeoutMs: 600_000 },
  );
  packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackedTarball[];
  console.info(
    `packed ${packed.length} packages in ${((Date.now() - started) / 1000).toFixed(0)} s: ${packed.map((p) => `${p.name}@${p.version}`).join(', ')}`,
  );
}, 660_000);

afterAll(() => {
  if (parent !== '') rmSync(parent, { recursive: true, force: true });
});

describe('the public packages', () => {
  it('are the libraries, the SDK and the CLI; the testkit stays private', () => {
    const names = publicPackages.map((ws) => ws.pkg.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '@lynq/api',
        '@lynq/apply',
        '@lynq/cli',
        '@lynq/datasource',
        '@lynq/datasource-mysql',
        '@lynq/datasource-postgres',
        '@lynq/graph',
        '@lynq/plan',
        '@lynq/policy',
        '@lynq/render',
        '@lynq/runtime',
      ]),
    );
    expect(names).not.toContain('@lynq/testkit');
    expect(names).not.toContain('@lynq/operator');
    for (const ws of publicPackages) expect(ws.pkg.private, ws.pkg.name).not.toBe(true);
    expect(packed.map((p) => p.name).sort()).toEqual([...names].sort());
  });

  it('carry what a registry page and provenance need', () => {
    for (const ws of publicPackages) {
      const pkg = ws.pkg as PublicManifest;
      expect(pkg.license, pkg.name).toBe('Apache-2.0');
      expect(pkg.repository?.directory, pkg.name).toBe(ws.dir);
      expect(pkg.repository?.url, pkg.name).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
      expect(pkg.homepage, pkg.name).toMatch(/^https:\/\//);
      expect(pkg.bugs?.url, pkg.name).toMatch(/^https:\/\//);
      expect(pkg.publishConfig, pkg.name).toEqual({ access: 'public', provenance: true });
      expect(pkg.files, pkg.name).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'README.md']));
      expect((pkg as { scripts?: Record<string, string> }).scripts?.['prepack'], pkg.name).toBe(
        `nx run ${pkg.name}:build`,
      );
      expect(pkg.peerDependencies ?? {}, pkg.name).toEqual(
        expect.objectContaining(PEERS[pkg.name] ?? {}),
      );
      // A peer is a devDependency too (the package's own tests), with the same range.
      for (const [peer, range] of Object.entries(pkg.peerDependencies ?? {}))
        expect(pkg.devDependencies?.[peer], `${pkg.name} devDependency ${peer}`).toBe(range);
    }
  });

  it('pack their entry points, types, LICENSE, README and CHANGELOG, and no sources or tests', () => {
    for (const ws of publicPackages) {
      const tarball = packed.find((p) => p.name === ws.pkg.name) as PackedTarball;
      const paths = tarball.files.map((f) => f.path);
      expect(paths, ws.pkg.name).toEqual(
        expect.arrayContaining([
          'LICENSE',
          'README.md',
          'CHANGELOG.md',
          'package.json',
          ...entryFiles(ws.pkg),
        ]),
      );
      const types = paths.filter((p) => p.endsWith('.d.ts'));
      expect(types.length, `${ws.pkg.name} ships types`).toBeGreaterThan(0);
      expect(
        paths.filter(
          (p) => p.startsWith('src/') || TEST_FILE.test(p) || /(?<!\.d)\.[cm]?tsx?$/.test(p),
        ),
        ws.pkg.name,
      ).toEqual([]);
      expect(readFileSync(join(REPO_ROOT, ws.dir, 'LICENSE'), 'utf8')).toContain('Apache License');
    }
  });
});

describe('installed from the tarballs into a project outside the workspace', () => {
  let app = '';
  let modules = '';

  beforeAll(async () => {
    const started = Date.now();
    app = await scratchProject(
      'app',
      Object.fromEntries(packed.map((p) => [p.name, tarballOf(p.name)])),
      { typescript: lockedVersion('typescript'), '@types/node': lockedVersion('@types/node') },
    );
    modules = join(app, 'node_modules');
    console.info(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 360_000);

  it('holds copies of the packages, not links into the workspace', () => {
    for (const p of packed) {
      const dir = join(modules, p.name);
      expect(lstatSync(dir).isSymbolicLink(), p.name).toBe(false);
      expect(existsSync(join(dir, 'src')), `${p.name} has no src/`).toBe(false);
    }
    // The peers came from the registry (npm installs required peers).
    for (const peer of ['@kubernetes/client-node', 'prom-client'])
      expect(existsSync(join(modules, peer, 'package.json')), peer).toBe(true);
  });

  it('has source maps that carry their sources and point at packed files', () => {
    let maps = 0;
    for (const p of packed) {
      const root = join(modules, p.name);
      const files = filesUnder(root);
      // Declaration maps would point at src/, which is not published.
      expect(
        files.filter((f) => f.endsWith('.d.ts.map')),
        p.name,
      ).toEqual([]);
      for (const file of files.filter((f) => f.endsWith('.js'))) {
        const text = readFileSync(join(root, file), 'utf8');
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
        if (url === undefined) continue;
        const mapFile = join(root, file, '..', url);
        expect(existsSync(mapFile), `${p.name}/${file} → ${url}`).toBe(true);
        const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMap;
        expect(map.sources.length, `${p.name}/${url}`).toBeGreaterThan(0);
        expect(map.sourcesContent?.length, `${p.name}/${url} sourcesContent`).toBe(
          map.sources.length,
        );
        for (const content of map.sourcesContent ?? [])
          expect(typeof content === 'string' && content.length > 0).toBe(true);
        maps++;
      }
    }
    expect(maps).toBeGreaterThan(50);
  });

  it('imports every entry point of every package as ESM', async () => {
    const specifiers = packed.flatMap((p) => {
      const pkg = JSON.parse(
        readFileSync(join(modules, p.name, 'package.json'), 'utf8'),
      ) as PackageJson;
      const subpaths =
        typeof pkg.exports === 'object' && pkg.exports !== null
          ? Object.keys(pkg.exports).filter((k) => k.startsWith('.') && !k.includes('*'))
          : [];
      return subpaths.map((s) => (s === '.' ? p.name : `${p.name}/${s.slice(2)}`));
    });
    expect(specifiers).toEqual(expect.arrayContaining(['@lynq/api', '@lynq/render/host']));
    const script = `
      const found = {};
      for (const s of ${JSON.stringify(specifiers)}) found[s] = Object.keys(await import(s)).length;
      console.log(JSON.stringify(found));
    `;
    const out = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      timeoutMs: 60_000,
    });
    const exported = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    for (const s of specifiers) expect(exported[s], s).toBeGreaterThan(0);
  });

  it('writes no file when any module of @lynq/api is imported', async () => {
    const before = filesUnder(parent);
    const dist = join(modules, '@lynq/api/dist');
    const modulesOfApi = filesUnder(dist).filter((f) => f.endsWith('.js'));
    const script = `
      for (const f of ${JSON.stringify(modulesOfApi)}) await import(${JSON.stringify(`${dist}/`)} + f);
    `;
    await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      timeoutMs: 60_000,
    });
    expect(modulesOfApi.length).toBeGreaterThan(5);
    expect(filesUnder(parent)).toEqual(before);
  });

  it('type-checks a program using them with tsc (strict, NodeNext)', async () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // Our declarations are checked; third-party ones are the user's choice.
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(app, 'main.ts'),
      `import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { Kinds, Resources, parseForm, type KubeObject, type LynqForm } from '@lynq/api';
import { KubeClient, type ApplyResult } from '@lynq/apply';
import { DatasourceRegistry } from '@lynq/datasource';
import { buildGraph } from '@lynq/graph';
import { checkReadiness } from '@lynq/policy';
import { renderForm, buildVariables } from '@lynq/render';
import { RestClient, resourcePath, type ResourceType } from '@lynq/runtime';
import * as plan from '@lynq/plan';
import * as mysql from '@lynq/datasource-mysql';
import * as postgres from '@lynq/datasource-postgres';

const kind: 'LynqForm' = Kinds.Form;
const where: ResourceType = Resources.ConfigMap;
const path: string = resourcePath(where, 'default', 'x');
const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
const verdict: { ready: boolean } = checkReadiness(object);
const parsed = parseForm('apiVersion: operator.lynq.sh/v1\\nkind: LynqForm\\nmetadata: { name: f }\\nspec: { hubId: h }');
const form: LynqForm | undefined = parsed.ok ? parsed.value : undefined;
const kc = new KubeConfig();
const registry = new Registry();
type Result = ApplyResult;
export const used = [kind, path, verdict, form, kc, registry, KubeClient, RestClient, DatasourceRegistry, buildGraph, renderForm, buildVariables, plan, mysql, postgres];
export type { Result };
`,
    );
    // Errors in our declarations or in main.ts fail the test; third-party declarations are not
    // ours to fix (client-node's isomorphic-ws needs @types/ws, which it does not depend on).
    let output = '';
    try {
      await run(join(modules, '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
        cwd: app,
        timeoutMs: 120_000,
      });
    } catch (err) {
      output = err instanceof Error ? err.message : String(err);
    }
    const errors = [...output.matchAll(/^(\S+)\(\d+,\d+\): error TS\d+:.*$/gm)];
    const ours = errors.filter(
      (m) => m[1] === 'main.ts' || (m[1] ?? '').startsWith('node_modules/@lynq/'),
    );
    expect(ours.map((m) => m[0])).toEqual([]);
    if (output !== '' && errors.length === 0) throw new Error(output);
    if (errors.length > 0)
      console.info(
        `tsc: ${errors.length} errors in third-party declarations, e.g. ${errors[0]?.[0]}`,
      );
  });

  it('runs npx lynq --version', async () => {
    const out = await run('npx', ['--no-install', 'lynq', '--version'], {
      cwd: app,
      timeoutMs: 60_000,
    });
    const cli = packed.find((p) => p.name === '@lynq/cli') as PackedTarball;
    expect(out.trim()).toContain(cli.version);
  });
});

describe('@lynq/render alone', () => {
  it('renders a form in a project that installs only @lynq/render (and the @lynq/api it needs)', async () => {
    const app = await scratchProject('render-only', {
      '@lynq/render': tarballOf('@lynq/render'),
      // Not on the registry before the first release: the tarball stands in for it.
      '@lynq/api': tarballOf('@lynq/api'),
    });
    expect(readdirSync(join(app, 'node_modules', '@lynq')).sort()).toEqual(['api', 'render']);
    writeFileSync(
      join(app, 'render.mjs'),
      `import { renderForm, buildVariables } from '@lynq/render';
import { parseForm, assertParsed } from '@lynq/api';
const form = assertParsed(parseForm(\`
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: web-app, namespace: default }
spec:
  hubId: my-hub
  configMaps:
    - id: cfg
      nameTemplate: "{{ .uid }}-cfg"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data: { plan: "{{ .planId | upper }}" }
\`));
const variables = buildVariables({ uid: 'acme', hubId: 'my-hub', templateRef: 'web-app', extra: { planId: 'pro' } });
const { resources, errors } = renderForm(form, variables, { namespace: 'default' });
console.log(JSON.stringify({ manifests: resources.map((r) => r.manifest), errors: errors.length }));
`,
    );
    const out = await run(process.execPath, ['render.mjs'], { cwd: app, timeoutMs: 60_000 });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      manifests: { metadata: { name: string }; data: Record<string, string> }[];
      errors: number;
    };
    expect(result.errors).toBe(0);
    expect(result.manifests).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'acme-cfg' }) }),
    ]);
    expect(result.manifests[0]?.data).toEqual({ plan: 'PRO' });
  }, 360_000);
});
