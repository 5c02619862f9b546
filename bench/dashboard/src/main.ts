// Benchmark: how long the dashboard's topology of 2,000 LynqNodes takes to open in Chromium.
//
// The server (DashboardServer + LiveState of @lynq/dashboard, the code `lynq-dashboard` runs) is
// fed 2 hubs, 4 forms and N nodes of 4 resources each (2 % failed with an error event, 3 % with a
// skipped resource) through the same upsert calls its informers make, then Debian's Chromium
// (playwright-core) opens /topology R times in fresh pages. "Open" is the time from navigation start
// until the tree shows its rows with every node loaded (the toolbar says "N nodes"), measured
// in the page with performance.now(). Also printed: the server's snapshot (build + JSON) cost and
// size, the number of row elements in the DOM (virtualised: a screenful, not N), and the time from
// pressing End to the last row being shown.
//
//   npm run bench -w @lynq/bench-dashboard [-- --nodes 2000 --runs 5]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { LynqForm, LynqHub, LynqNode } from '@lynq/api';
import { DashboardServer, LiveState } from '@lynq/dashboard';
import { silentLogger } from '@lynq/runtime';
import { chromium } from 'playwright-core';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const NODES = arg('nodes', 2000);
const RUNS = arg('runs', 5);
const CHROMIUM = process.env['LYNQ_CHROMIUM'] ?? '/usr/bin/chromium';
const NS = 'bench';
const now = new Date().toISOString();

function hub(name: string): LynqHub {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name, namespace: NS },
    spec: {
      source: {
        type: 'mysql',
        syncInterval: '30s',
        mysql: { host: 'db', port: 3306, username: 'r', database: 'd', table: 't' },
      },
      valueMappings: { uid: 'id', activate: 'active' },
    },
    status: {
      desired: NODES / 2,
      ready: NODES / 2,
      failed: 0,
      referencingTemplates: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'DatabaseConnected',
          message: 'ok',
          lastTransitionTime: now,
        },
      ],
    },
  } as unknown as LynqHub;
}

const RESOURCES = ['config', 'secret', 'app', 'svc'].map((id, i) => ({
  id,
  ...(i >= 2 ? { dependIds: ['config'] } : {}),
  spec: {
    apiVersion: i === 2 ? 'apps/v1' : 'v1',
    kind: ['ConfigMap', 'Secret', 'Deployment', 'Service'][i],
  },
}));

function form(name: string, hubId: string): LynqForm {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name, namespace: NS },
    spec: { hubId, templateSyntax: 'go', manifests: RESOURCES },
    status: {
      totalNodes: NODES / 4,
      readyNodes: NODES / 4,
      conditions: [
        {
          type: 'Valid',
          status: 'True',
          reason: 'ValidationPassed',
          message: 'ok',
          lastTransitionTime: now,
        },
      ],
    },
  } as unknown as LynqForm;
}

function node(i: number, formName: string, hubName: string): LynqNode {
  const name = `tenant-${String(i).padStart(5, '0')}-${formName}`;
  const failed = i % 50 === 7;
  const skipped = i % 33 === 5;
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqNode',
    metadata: { name, namespace: NS, labels: { 'lynq.sh/hub': hubName } },
    spec: { uid: `tenant-${i}`, templateRef: formName, manifests: RESOURCES },
    status: {
      desiredResources: 4,
      readyResources: failed ? 3 : skipped ? 3 : 4,
      failedResources: failed ? 1 : 0,
      skippedResources: skipped ? 1 : 0,
      skippedResourceIds: skipped ? ['svc'] : [],
      appliedResourceRefs: RESOURCES.map((r) => ({
        id: r.id,
        apiVersion: r.spec.apiVersion,
        kind: r.spec.kind,
        namespace: NS,
        name: `${name}-${r.id}`,
      })),
      conditions: failed
        ? [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ResourcesFailed',
              message: '1 resources failed',
              lastTransitionTime: now,
            },
            {
              type: 'Degraded',
              status: 'True',
              reason: 'ResourceFailures',
              message: 'LynqNode has 1 failed resources',
              lastTransitionTime: now,
            },
          ]
        : [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Reconciled',
              message: 'All 4 resources are ready',
              lastTransitionTime: now,
            },
          ],
    },
  } as unknown as LynqNode;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  // src/index.ts (sources) or dist/index.js: the package directory is one up.
  const dashboardDir = dirname(dirname(fileURLToPath(import.meta.resolve('@lynq/dashboard'))));
  execFileSync(process.execPath, [join(dashboardDir, 'scripts', 'build-ui.mjs')], {
    stdio: 'inherit',
  });

  const state = new LiveState({ batchMs: 50 });
  const fedStart = performance.now();
  const forms: Array<[string, string]> = [
    ['web', 'shop'],
    ['worker', 'shop'],
    ['web', 'billing'],
    ['worker', 'billing'],
  ];
  for (const h of ['shop', 'billing']) state.upsertHub(hub(h));
  forms.forEach(([f, h]) => state.upsertForm(form(`${h}-${f}`, h)));
  for (let i = 0; i < NODES; i++) {
    const [f, h] = forms[i % forms.length]!;
    const n = node(i, `${h}-${f}`, h);
    state.upsertNode(n);
    if (i % 50 === 7)
      state.upsertEvent({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${n.metadata.name}.render`, namespace: NS },
        involvedObject: { kind: 'LynqNode', namespace: NS, name: n.metadata.name },
        type: 'Warning',
        reason: 'TemplateRenderError',
        message: `Failed to render resource app: spec.template: plan "x" is not allowed`,
        lastTimestamp: now,
      } as never);
  }
  state.flush();
  state.synced = true;
  const fedMs = performance.now() - fedStart;

  const snapStart = performance.now();
  const json = JSON.stringify(state.snapshot());
  const snapshotMs = performance.now() - snapStart;

  const server = new DashboardServer({
    state,
    read: () => Promise.resolve(undefined),
    publicDir: join(dashboardDir, 'dist', 'public'),
    logger: silentLogger,
  });
  const addr = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${addr.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const opens: number[] = [];
  const ends: number[] = [];
  let domRows = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    for (let r = 0; r < RUNS; r++) {
      const page = await context.newPage();
      await page.goto(`${url}/topology`);
      const opened = await page.waitForFunction(
        (n) => {
          const rows = document.querySelectorAll('[role="treeitem"]').length;
          const loaded =
            document.querySelector('.toolbar')?.textContent?.includes(`${n} nodes`) === true;
          return rows > 0 && loaded ? performance.now() : false;
        },
        NODES,
        { polling: 'raf', timeout: 30_000 },
      );
      opens.push((await opened.jsonValue()) as number);
      domRows = await page.locator('[role="treeitem"]').count();
      await page.locator('[role="treeitem"][tabindex="0"]').focus();
      const t0 = await page.evaluate(() => performance.now());
      await page.keyboard.press('End');
      const shown = await page.waitForFunction(
        () => {
          const last = document.querySelector('[role="treeitem"][aria-selected="true"]');
          return last !== null &&
            last.getAttribute('aria-posinset') === last.getAttribute('aria-setsize')
            ? performance.now()
            : false;
        },
        undefined,
        { polling: 'raf', timeout: 10_000 },
      );
      ends.push(((await shown.jsonValue()) as number) - t0);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    state.close();
  }
  const result = {
    nodes: NODES,
    runs: RUNS,
    openMsMedian: Math.round(median(opens)),
    openMsMax: Math.round(Math.max(...opens)),
    endKeyMsMedian: Math.round(median(ends)),
    domRows,
    snapshotMs: Math.round(snapshotMs),
    snapshotKiB: Math.round(Buffer.byteLength(json) / 1024),
    feedMs: Math.round(fedMs),
    chromium: browser.version(),
  };
  console.log(
    `dashboard topology, ${NODES} nodes (${RUNS} page loads in Chromium ${result.chromium}):`,
  );
  console.log(
    `  open (navigation start → rows shown, all nodes loaded): median ${result.openMsMedian} ms, max ${result.openMsMax} ms`,
  );
  console.log(
    `  End key → last row shown: median ${result.endKeyMsMedian} ms; row elements in the DOM: ${domRows}`,
  );
  console.log(
    `  server snapshot: ${result.snapshotMs} ms to build + serialise, ${result.snapshotKiB} KiB; feeding ${NODES} nodes: ${result.feedMs} ms`,
  );
  console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
