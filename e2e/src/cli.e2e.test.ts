// The `lynq` command as users run it: the built binary (apps/cli/dist/main.js) as a process,
// from a directory of its own, against the operator of this file and rows in MariaDB.
// - validate finds the error of a broken form with its field path and line, exit 1;
// - plan --cluster shows what a form change and new rows would do to the hub's nodes: the
//   node created, the one updated with the API server's own dry-run diff, the deletion the
//   deletion guard holds — and changes nothing;
// - diff compares a form file with the cluster, node by node; status prints the tree.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  REPO_ROOT,
  Res,
  configMap,
  deployment,
  form,
  hub,
  mysqlSource,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'cli' });
const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');
const HUB = 'shops';
const FORM = 'web';
const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-e2e-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lynq …` in `dir` with the cluster's kubeconfig; never rejects on a non-zero exit. */
function lynq(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: s.kubeconfig },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err ?? new Error('no exit code'));
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const webForm = (version: 'v1' | 'v2') =>
  form({
    name: FORM,
    namespace: s.namespace,
    hubId: HUB,
    configMaps: [
      configMap(
        'settings',
        version === 'v1'
          ? { plan: '{{ .plan }}' }
          : { plan: '{{ .plan }}', region: '{{ .region | default "none" }}' },
      ),
    ],
    deployments: [deployment('app', { replicas: version === 'v1' ? 1 : 2 })],
  });

const write = (name: string, obj: unknown) => {
  writeFileSync(join(dir, name), typeof obj === 'string' ? obj : stringify(obj));
  return name;
};

beforeAll(async () => {
  await s.db.insert(s.table, [
    { id: 'c1', active: '1', plan: 'gold', region: 'eu' },
    { id: 'c2', active: '1', plan: 'silver', region: 'us' },
    { id: 'c3', active: '0', plan: 'bronze', region: 'ap' },
  ]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      // Rows are read once: the changes the plan is about stay unapplied while it runs.
      source: mysqlSource(s.table, { syncInterval: '1h' }),
      extraValueMappings: { plan: 'plan', region: 'region' },
      // One deletion of two nodes is 50%: the guard holds it (and the plan says so).
      deletionGuard: { maxDeletePercent: 30, minDeletions: 0 },
    }),
  );
  await s.create(webForm('v1'));
  await s.nodeReady(`c1-${FORM}`, 120_000);
  await s.nodeReady(`c2-${FORM}`, 120_000);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lynq validate', () => {
  it('finds the error of a broken form with its field path and line, and exits 1', async () => {
    const broken = webForm('v1');
    (broken.spec as { deployments: { dependIds?: string[] }[] }).deployments[0]!.dependIds = [
      'nope',
    ];
    write('broken.yaml', broken);
    const r = await lynq('validate', 'broken.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^broken\\.yaml:\\d+:\\d+: error: LynqForm ${s.namespace}/${FORM}: spec\\.deployments\\[0\\]\\.dependIds\\[0\\]: .*nope`,
        'm',
      ),
    );
    expect((await lynq('validate', write('good.yaml', webForm('v2')))).code).toBe(0);
  });
});

describe('lynq plan --cluster', () => {
  it('shows what a form change and new rows would do to the nodes, from the rows in MariaDB, and changes nothing', async () => {
    // c2 deactivated (held by the guard), c4 new; the form file raises replicas and adds a key.
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = '0' WHERE id = 'c2'`);
    await s.db.insert(s.table, [{ id: 'c4', active: '1', plan: 'gold', region: 'sa' }]);
    write('web-v2.yaml', webForm('v2'));
    const before = await s.kube.get<{ data: Record<string, string> }>(
      Res.ConfigMap,
      'c1-settings',
      s.namespace,
    );

    const r = await lynq('plan', '--cluster', 'web-v2.yaml', '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      rows: { ok: boolean; active: number };
      nodes: {
        name: string;
        action: string;
        reasons: string[];
        heldBy?: string;
        objects: {
          id: string;
          action: string;
          diffFrom: string;
          changes: { op: string; path: string; before?: unknown; after?: unknown }[];
        }[];
      }[];
    };
    expect(plan.rows).toMatchObject({ ok: true, active: 2 });
    const byName = Object.fromEntries(plan.nodes.map((n) => [n.name, n]));
    expect(Object.keys(byName).sort()).toEqual([`c1-${FORM}`, `c2-${FORM}`, `c4-${FORM}`]);

    const c1 = byName[`c1-${FORM}`]!;
    expect(c1.action).toBe('update');
    expect(c1.reasons).toContain('template');
    const settings = c1.objects.find((o) => o.id === 'settings')!;
    expect(settings).toMatchObject({ action: 'change', diffFrom: 'server' });
    expect(settings.changes).toContainEqual({ op: 'add', path: 'data.region', after: 'eu' });
    const app = c1.objects.find((o) => o.id === 'app')!;
    expect(app).toMatchObject({ action: 'change', diffFrom: 'server' });
    expect(app.changes).toContainEqual({
      op: 'change',
      path: 'spec.replicas',
      before: 1,
      after: 2,
    });
    // The API server's answer: the generation a spec change gets.
    expect(app.changes.some((c) => c.path === 'metadata.generation')).toBe(true);

    expect(byName[`c2-${FORM}`]).toMatchObject({ action: 'delete', reasons: ['Deactivated'] });
    expect(byName[`c2-${FORM}`]!.heldBy).toMatch(/^deletions held: /);
    const c4 = byName[`c4-${FORM}`]!;
    expect(c4.action).toBe('create');
    expect(c4.objects.map((o) => [o.id, o.action, o.diffFrom]).sort()).toEqual([
      ['app', 'create', 'server'],
      ['settings', 'create', 'server'],
    ]);

    // A dry run: nothing changed in the cluster.
    const after = await s.kube.get<{ data: Record<string, string> }>(
      Res.ConfigMap,
      'c1-settings',
      s.namespace,
    );
    expect(after?.data).toEqual(before?.data);
    expect(await s.kube.get(Res.ConfigMap, 'c4-settings', s.namespace)).toBeUndefined();

    const table = await lynq('plan', '--cluster', 'web-v2.yaml');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`~ LynqNode c1-${FORM}: update (template`);
    expect(table.stdout).toContain('~ spec.replicas: 1 → 2');
    expect(table.stdout).toContain('+ data.region: eu');
    expect(table.stdout).toContain(
      `- LynqNode c2-${FORM}: delete (Deactivated) [held by the deletion guard]`,
    );
    expect(table.stdout).toContain(`+ LynqNode c4-${FORM}: create`);
  });
});

describe('lynq diff and lynq status', () => {
  it('diffs a form file against each node through server dry runs', async () => {
    write('web-v1.yaml', webForm('v1'));
    const same = await lynq('diff', '--form', 'web-v1.yaml', '-n', s.namespace);
    expect(same.stderr).toBe('');
    expect(same.stdout).toContain('0 objects differ, 0 errors');
    expect(same.code).toBe(0);

    const changed = await lynq('diff', '--form', 'web-v2.yaml', '--node', `c1-${FORM}`);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`LynqNode ${s.namespace}/c1-${FORM}`);
    expect(changed.stdout).toContain('+ data.region: eu');
    expect(changed.stdout).toContain('~ spec.replicas: 1 → 2');
    expect(changed.stdout).not.toContain(`c2-${FORM}`);
  });

  it('prints the hub → form → node → resource tree with readiness', async () => {
    const r = await lynq('status', '-n', s.namespace);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^LynqHub ${s.namespace}/${HUB}  `, 'm'));
    expect(r.stdout).toMatch(new RegExp(`── LynqForm ${FORM}  ✔ ValidationPassed`));
    expect(r.stdout).toMatch(new RegExp(`── LynqNode c1-${FORM}  ✔ `));
    expect(r.stdout).toMatch(new RegExp(`── ConfigMap ${s.namespace}/c1-settings  ✔ Ready`));
    expect(r.stdout).toMatch(new RegExp(`── Deployment ${s.namespace}/c1-app  ✔ Ready`));
    const json = JSON.parse((await lynq('status', '-n', s.namespace, '-o', 'json')).stdout) as {
      items: { name: string; children: { name: string; children: { name: string }[] }[] }[];
      problems: number;
    };
    expect(json.items.map((h) => h.name)).toEqual([HUB]);
    expect(json.items[0]!.children[0]!.children.map((n) => n.name)).toContain(`c1-${FORM}`);
    expect(r.code).toBe(json.problems > 0 ? 1 : 0);
    const problems = await lynq('status', '-n', s.namespace, '--problems');
    expect(problems.code).toBe(r.code);
    if (problems.code === 0) expect(problems.stdout).toBe('No problems.\n');
    else expect(problems.stdout).toContain('✖');
  });

  it('shows only what fails with --problems, with the reason, and exits 1', async () => {
    // A hub of its own (same rows) whose Deployment can never be scheduled.
    await s.create(
      hub({
        name: 'stuck',
        namespace: s.namespace,
        source: mysqlSource(s.table, { syncInterval: '1h' }),
      }),
    );
    const pinned = deployment('pinned', { replicas: 1 }, { timeoutSeconds: 600 });
    const podSpec = (pinned.spec as { spec: { template: { spec: Record<string, unknown> } } }).spec
      .template.spec;
    podSpec['nodeSelector'] = { 'e2e.lynq.sh/nowhere': 'true' };
    await s.create(
      form({ name: 'stuck', namespace: s.namespace, hubId: 'stuck', deployments: [pinned] }),
    );
    await s.waitFor(
      async (note) => {
        const node = await s.node('c1-stuck');
        note(node?.status ?? 'no node');
        return node?.status?.appliedResourceRefs?.length ? node : undefined;
      },
      { what: 'LynqNode c1-stuck to apply its Deployment', timeoutMs: 60_000 },
    );
    const r = await lynq('status', '-n', s.namespace, '--problems');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^LynqHub \S+\/stuck {2}/m);
    expect(r.stdout).toMatch(/── LynqNode c1-stuck {2}✖ /);
    expect(r.stdout).toMatch(/── Deployment \S+\/c1-pinned {2}✖ \w+: .+/);
    // What is ready stays out.
    expect(r.stdout).not.toContain(`c1-${FORM}`);
    expect(r.stdout).not.toContain('c1-settings');
  });
});
