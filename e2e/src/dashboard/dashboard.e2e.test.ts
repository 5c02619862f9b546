/// <reference lib="dom" />
// The dashboard in a real browser (Debian's Chromium through playwright-core), against the local
// control plane, the operator as a process and MariaDB: rows inserted become nodes in the
// topology without a reload; a template that fails for a row turns its node failed and shows it
// in problem mode with the error; resources removed from the form show as orphaned (Retain) or
// disappear (Delete); every page passes axe-core without serious violations, in both themes, and
// the tree works from the keyboard. With LYNQ_DASHBOARD_SCREENSHOTS=1 it also writes
// docs/images/dashboard-*.png (apps/dashboard/scripts/screenshots.sh).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  REPO_ROOT,
  Res,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
} from '../harness/index.js';
import {
  launchBrowser,
  seriousViolations,
  startDashboard,
  type DashboardProcess,
} from './dashboard-process.js';

const s = useScenario({ name: 'dash' });
const HUB = 'shop';
const FORM = 'web';
const SCREENSHOTS = process.env['LYNQ_DASHBOARD_SCREENSHOTS'] === '1';
const IMAGES = join(REPO_ROOT, 'docs', 'images');

let dashboard: DashboardProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const resources = {
  app: configMap('app', { plan: '{{ .plan }}' }),
  picky: configMap('picky', {
    plan: '{{ if eq .plan "broken" }}{{ fail "plan broken is not allowed" }}{{ end }}{{ .plan }}',
  }),
  dropDelete: configMap('drop-delete', { x: '1' }),
  dropRetain: configMap('drop-retain', { x: '1' }, { deletionPolicy: 'Retain' }),
};

beforeAll(async () => {
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
      extraValueMappings: { plan: 'plan', region: 'region' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        resources.app,
        { ...resources.picky, dependIds: ['app'] },
        resources.dropDelete,
        resources.dropRetain,
      ],
    }),
  );
  dashboard = await startDashboard({
    kubeconfig: s.kubeconfig,
    namespace: s.namespace,
    logFile: join(mkdtempSync(join(tmpdir(), 'lynq-e2e-dashboard-')), 'dashboard.log'),
  });
  browser = await launchBrowser();
  // axe is injected as an inline script, which the dashboard's CSP forbids (as it should).
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, bypassCSP: true });
  page = await context.newPage();
});

// A failed test leaves what the browser showed next to the dashboard's log.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail' || page === undefined) return;
  const base = dashboard.logFile.replace(
    /\.log$/,
    `-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`,
  );
  await page.screenshot({ path: `${base}.png` }).catch(() => undefined);
  writeFileSync(`${base}.html`, await page.content().catch(() => ''));
  console.log(`dashboard e2e: failure artefacts ${base}.{png,html}, log ${dashboard.logFile}`);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
});

const TIMEOUT = 60_000;

function treeitem(p: Page, name: string) {
  return p.locator(`[role="treeitem"][data-key$="/${name}"]`);
}

async function shoot(p: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(IMAGES, { recursive: true });
  await p.screenshot({ path: join(IMAGES, `dashboard-${name}.png`) });
}

async function expectAccessible(p: Page, what: string): Promise<void> {
  const violations = await seriousViolations(p);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe('dashboard', () => {
  it('rows inserted in the database appear as nodes in the topology without a reload', async () => {
    await page.goto(`${dashboard.url}/topology`);
    await page.getByRole('tree').waitFor();
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    await s.db.insert(s.table, [
      { id: 'r1', active: '1', plan: 'gold', region: 'eu' },
      { id: 'r2', active: '1', plan: 'silver', region: 'us' },
      { id: 'r3', active: '1', plan: 'gold', region: 'us' },
    ]);
    for (const uid of ['r1', 'r2', 'r3'])
      await treeitem(page, nodeName(uid, FORM)).waitFor({ timeout: TIMEOUT });
    // Still the same document: the nodes came over the event stream.
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page',
    );
    await page
      .locator(`[role="treeitem"][data-key="node:${s.namespace}/${nodeName('r1', FORM)}"] .badge`, {
        hasText: 'Ready',
      })
      .waitFor({ timeout: TIMEOUT });
    await page.goto(`${dashboard.url}/`);
    await page.locator('.stat', { hasText: 'nodes' }).first().waitFor();
    await expect
      .poll(async () => page.locator('.stat', { hasText: /^\s*3\s*nodes/ }).count(), {
        timeout: TIMEOUT,
      })
      .toBe(1);
  });

  it('a template that fails for a row turns its node failed, shown in problem mode with the error', async () => {
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'broken' WHERE id = ?`, ['r2']);
    await page.goto(`${dashboard.url}/topology`);
    await page.getByLabel('Problem mode (failed paths only)').check();
    const broken = treeitem(page, nodeName('r2', FORM));
    await broken.locator('.badge', { hasText: 'Failed' }).waitFor({ timeout: TIMEOUT });
    await broken
      .locator('.problem', { hasText: 'plan broken is not allowed' })
      .waitFor({ timeout: TIMEOUT });
    // The failing resource is shown under it, and healthy nodes are not.
    await page
      .locator(`[role="treeitem"][data-key="res:${s.namespace}/${nodeName('r2', FORM)}/picky"]`)
      .waitFor({ timeout: TIMEOUT });
    expect(await treeitem(page, nodeName('r1', FORM)).count()).toBe(0);
    await shoot(page, 'problems');
    // The node page says the same, on the resource.
    await page.goto(`${dashboard.url}/nodes/${s.namespace}/${nodeName('r2', FORM)}`);
    await page.locator('#res-picky .badge', { hasText: 'Failed' }).waitFor({ timeout: TIMEOUT });
    await page.getByText('plan broken is not allowed').first().waitFor();
  });

  it('resources removed from the form: Retain shows as orphaned, Delete disappears', async () => {
    const node = nodeName('r1', FORM);
    await page.goto(`${dashboard.url}/nodes/${s.namespace}/${node}`);
    await page.locator('#res-drop-retain').waitFor({ timeout: TIMEOUT });
    await page.locator('#res-drop-delete').waitFor();
    await s.kube.mergePatch(Res.Form, FORM, s.namespace, {
      spec: { configMaps: [resources.app, { ...resources.picky, dependIds: ['app'] }] },
    });
    // Live: the node page drops both resources without a reload.
    await page.locator('#res-drop-delete').waitFor({ state: 'detached', timeout: TIMEOUT });
    await page.locator('#res-drop-retain').waitFor({ state: 'detached', timeout: TIMEOUT });
    await page.goto(`${dashboard.url}/topology`);
    const orphans = page.getByRole('region', { name: /Orphaned resources/ });
    const retained = orphans.getByRole('row', { name: new RegExp(`r1-drop-retain`) });
    await retained.waitFor({ timeout: TIMEOUT });
    expect(await retained.textContent()).toContain('RemovedFromTemplate');
    // Deleted, not orphaned.
    expect(await orphans.getByRole('row', { name: /drop-delete/ }).count()).toBe(0);
    expect(await s.kube.get(Res.ConfigMap, 'r1-drop-delete', s.namespace)).toBeUndefined();
  });

  it('the topology works from the keyboard', async () => {
    await page.goto(`${dashboard.url}/topology`);
    const tree = page.getByRole('tree');
    await tree.waitFor();
    await page.locator('[role="treeitem"][tabindex="0"]').focus();
    await page.keyboard.press('End');
    const last = page.locator('[role="treeitem"][aria-selected="true"]');
    expect(await last.getAttribute('aria-level')).toBe('3');
    const key = (await last.getAttribute('data-key')) ?? '';
    await page.keyboard.press('ArrowRight'); // opens the node's resources
    expect(await page.locator(`[data-key="${key}"]`).getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/nodes\//);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(
      `/nodes/${key.slice('node:'.length)}`,
    );
  });

  it('every page has no serious accessibility violations, in light and dark themes', async () => {
    const node = nodeName('r1', FORM);
    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['topology', '/topology'],
      ['hub', `/hubs/${s.namespace}/${HUB}`],
      ['form', `/forms/${s.namespace}/${FORM}`],
      ['node', `/nodes/${s.namespace}/${node}`],
    ];
    for (const theme of ['light', 'dark'] as const) {
      // The theme switch, as a user flips it (the choice is remembered across pages).
      await page.goto(`${dashboard.url}/`);
      const toggle = page.getByRole('button', { name: 'Dark theme' });
      if ((await toggle.getAttribute('aria-pressed')) !== String(theme === 'dark'))
        await toggle.click();
      await expect.poll(() => page.evaluate(() => localStorage.getItem('lynq-theme'))).toBe(theme);
      for (const [name, path] of pages) {
        await page.goto(`${dashboard.url}${path}`);
        await page.locator('main h1').waitFor({ timeout: TIMEOUT });
        if (name === 'node') await page.locator('#res-app').waitFor({ timeout: TIMEOUT });
        expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe(theme);
        await expectAccessible(page, `${name} (${theme})`);
        await shoot(page, theme === 'light' ? name : `${name}-dark`);
      }
    }
  });
});
