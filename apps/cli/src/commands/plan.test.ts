import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { examples, run } from '../test-io.js';
import type { PlanResult } from './plan.js';

const ex = (f: string) => join(examples, f);
const HEADER = 'node_id,is_active,subscription_plan,deployment_region,container_image';

async function planJson(argv: string[]) {
  const r = await run(['plan', '-o', 'json', ...argv]);
  expect(r.stderr).toBe('');
  return { status: r.status, result: JSON.parse(r.stdout) as PlanResult };
}

describe('lynq plan (offline)', () => {
  it('plans a form change against existing nodes: update with field changes, delete (row gone), create', async () => {
    const r = await run([
      'plan',
      ex('hub.yaml'),
      ex('form-v2.yaml'),
      '--rows',
      ex('rows-v2.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout)
      .toContain(`~ LynqNode acme-web-app: update (template, spec)  form web-app, uid acme
    ~ Deployment default/acme-app (app): change
        ~ spec.replicas: 2 → 3
    + ConfigMap default/acme-settings (settings): create
    = Service default/acme-svc (svc): unchanged`);
    expect(r.stdout)
      .toContain(`- LynqNode globex-web-app: delete (RowDeleted)  form web-app, uid globex
    - Deployment default/globex-app (app): remove (Delete: deleted)`);
    expect(r.stdout).toContain('+ LynqNode initech-web-app: create');
    expect(r.stdout).toContain(
      'Plan: 1 to create, 1 to update, 1 to delete LynqNodes, 0 unchanged; objects: 4 to create, 1 to change, 2 to remove',
    );
  });

  it('says why a node goes: an inactive row is Deactivated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-plan-'));
    writeFileSync(
      join(dir, 'rows.csv'),
      readFileSync(ex('rows.csv'), 'utf8').replace('globex,true', 'globex,false'),
    );
    const { result } = await planJson([
      ex('hub.yaml'),
      ex('form.yaml'),
      '--rows',
      join(dir, 'rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(result.nodes.map((n) => [n.name, n.action, n.reasons])).toEqual([
      ['globex-web-app', 'delete', ['Deactivated']],
    ]);
    expect(result.unchanged).toEqual(['acme-web-app']);
  });

  it('gives a form file without a generation the one the server would: unchanged form, unchanged nodes', async () => {
    const same = await planJson([
      ex('hub.yaml'),
      ex('form.yaml'),
      '--rows',
      ex('rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(same.result.forms).toEqual([{ name: 'web-app', generation: 1 }]);
    expect(same.result.nodes).toEqual([]);
    expect(same.result.unchanged).toEqual(['acme-web-app', 'globex-web-app']);
    const changed = await planJson([
      ex('hub.yaml'),
      ex('form-v2.yaml'),
      '--rows',
      ex('rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(changed.result.forms).toEqual([{ name: 'web-app', generation: 2 }]);
    expect(changed.result.nodes.map((n) => [n.name, n.reasons])).toEqual([
      ['acme-web-app', ['template', 'spec']],
      ['globex-web-app', ['template', 'spec']],
    ]);
  });

  it('shows the deletion guard holding deletions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-plan-'));
    writeFileSync(
      join(dir, 'hub.yaml'),
      readFileSync(ex('hub.yaml'), 'utf8').replace(
        '  valueMappings:',
        '  deletionGuard:\n    maxDeletePercent: 10\n    minDeletions: 0\n  valueMappings:',
      ),
    );
    writeFileSync(join(dir, 'rows.csv'), `${HEADER}\nacme,1,,,\n`);
    const r = await run([
      'plan',
      join(dir, 'hub.yaml'),
      ex('form.yaml'),
      '--rows',
      join(dir, 'rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Deletion guard: .+/m);
    expect(r.stdout).toContain(
      '- LynqNode globex-web-app: delete (RowDeleted) [held by the deletion guard]',
    );
    expect(r.stdout).toContain('0 to delete LynqNodes, 1 deletion held by the deletion guard');
  });

  it('shows maxSkew pacing: changes beyond it wait for a later sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-plan-'));
    writeFileSync(
      join(dir, 'form.yaml'),
      readFileSync(ex('form-v2.yaml'), 'utf8')
        // Generation 2: the nodes (template-generation 1) do not count as updating.
        .replace('  name: web-app', '  name: web-app\n  generation: 2')
        .replace('  hubId: my-saas-hub', '  hubId: my-saas-hub\n  rollout:\n    maxSkew: 1'),
    );
    writeFileSync(
      join(dir, 'rows.csv'),
      readFileSync(ex('rows.csv'), 'utf8').replace('initech,0', 'initech,1'),
    );
    const { status, result } = await planJson([
      ex('hub.yaml'),
      join(dir, 'form.yaml'),
      '--rows',
      join(dir, 'rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(status).toBe(0);
    const waiting = result.nodes.filter((n) => n.throttled).map((n) => n.name);
    const going = result.nodes.filter((n) => !n.throttled).map((n) => n.name);
    expect(going).toHaveLength(1);
    expect(waiting).toHaveLength(2);
    expect(result.nodes.find((n) => n.name === 'acme-web-app')?.reasons).toContain('template');
    expect(result.nodes.find((n) => n.name === 'acme-web-app')?.reasons).toContain('template');
    expect(result.throttled).toEqual([{ form: 'web-app', count: 2, maxSkew: 1, updating: 0 }]);
    expect(result.summary.throttled).toBe(2);
  });

  it('plans from rows on stdin (yaml), with no existing nodes', async () => {
    const r = await run(
      ['plan', '-o', 'yaml', ex('hub.yaml'), ex('form.yaml'), '--rows', '-'],
      '- { node_id: a, is_active: 1, subscription_plan: null, deployment_region: x, container_image: null }\n- { node_id: b, is_active: 0, subscription_plan: a, deployment_region: b, container_image: c }\n',
    );
    expect(r.status).toBe(0);
    const result = parseYaml(r.stdout) as PlanResult;
    expect(result.nodes.map((n) => [n.name, n.action])).toEqual([['a-web-app', 'create']]);
    expect(result.rows).toMatchObject({ ok: true, active: 1, inactive: 1 });
  });

  it('reports duplicate uids as row problems with their CSV lines, and keeps their nodes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-plan-'));
    writeFileSync(join(dir, 'rows.csv'), `${HEADER}\nacme,1,,,\nglobex,1,,,\nglobex,1,,,\n`);
    const { result } = await planJson([
      ex('hub.yaml'),
      ex('form.yaml'),
      '--rows',
      join(dir, 'rows.csv'),
      '--nodes',
      ex('nodes.yaml'),
    ]);
    expect(result.rows.problems).toHaveLength(1);
    expect(result.rows.problems[0]).toContain('lines 3, 4');
    expect(result.nodes.filter((n) => n.action === 'delete')).toEqual([]);
  });

  it('refuses a CSV with duplicate headers (2) and an invalid form (1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-plan-'));
    writeFileSync(join(dir, 'rows.csv'), 'node_id,is_active,is_active\nacme,1,0\n');
    const dup = await run([
      'plan',
      ex('hub.yaml'),
      ex('form.yaml'),
      '--rows',
      join(dir, 'rows.csv'),
    ]);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toContain(
      'rows.csv: line 1: duplicate column "is_active" in the header row (columns 2 and 3)',
    );
    const broken = await run([
      'plan',
      ex('hub.yaml'),
      ex('broken-form.yaml'),
      '--rows',
      ex('rows.csv'),
    ]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('circular dependency detected: app -> svc -> app');
    expect(broken.stdout).toBe('');
  });

  it('refuses rows without the columns the hub maps (as the datasource does), with status 2', async () => {
    const r = await run(
      ['plan', ex('hub.yaml'), ex('form.yaml'), '--rows', '-'],
      '- { node_id: a, is_active: 1 }\n',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('column "container_image" (spec.extraValueMappings.deployImage)');
  });

  it('is a usage error without rows offline, or without a hub', async () => {
    expect((await run(['plan', ex('form.yaml')])).status).toBe(2);
    const r = await run(['plan', ex('form.yaml'), '--rows', ex('rows.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('offline, the files must hold the LynqHub');
  });
});
