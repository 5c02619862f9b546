/// <reference lib="dom" />
// Starts the dashboard as a process (from its TypeScript sources, as `npm run dashboard` does)
// and a headless Chromium (Debian's, through playwright-core) to look at it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, freePort, waitFor } from '../harness/index.js';

export const DASHBOARD_DIR = join(REPO_ROOT, 'apps', 'dashboard');

export interface DashboardProcess {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Builds the UI bundle (esbuild, ~0.2 s) so the server has something to serve. */
export function buildUi(): void {
  execFileSync(process.execPath, [join(DASHBOARD_DIR, 'scripts', 'build-ui.mjs')], {
    stdio: 'ignore',
  });
}

export async function startDashboard(options: {
  kubeconfig: string;
  namespace?: string;
  logFile: string;
}): Promise<DashboardProcess> {
  buildUi();
  const port = await freePort();
  const fd = openSync(options.logFile, 'a');
  const args = [
    '--conditions=@lynq/source',
    '--import',
    'tsx',
    join(DASHBOARD_DIR, 'src', 'main.ts'),
    '--addr',
    `127.0.0.1:${port}`,
    '--kubeconfig',
    options.kubeconfig,
    '--log-level',
    'debug',
    ...(options.namespace !== undefined ? ['--namespace', options.namespace] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: DASHBOARD_DIR,
    stdio: ['ignore', fd, fd],
  });
  let exited: string | undefined;
  child.once(
    'exit',
    (code, signal) =>
      (exited = `dashboard exited (${code ?? signal ?? ''}); log ${options.logFile}`),
  );
  const url = `http://localhost:${port}`;
  await waitFor(
    async () => {
      if (exited !== undefined) throw new Error(exited);
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    { what: `dashboard ${url}/readyz`, timeoutMs: 60_000 },
  );
  return {
    url,
    logFile: options.logFile,
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** Debian's Chromium (`apt-get install chromium`); LYNQ_CHROMIUM overrides the path. */
export function chromiumPath(): string {
  const path = process.env['LYNQ_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(
      `${path} not found: install it with apt-get install -y chromium (or set LYNQ_CHROMIUM)`,
    );
  return path;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu'],
  });
}

const AXE = readFileSync(join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page; returns serious and critical violations (WCAG 2.x A/AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const r = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
