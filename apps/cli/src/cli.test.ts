import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const examples = new URL('../examples/', import.meta.url).pathname;

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('lynq render', () => {
  it('renders the example hub, form and rows, skipping inactive rows', async () => {
    const r = await run([
      'render',
      '--form',
      join(examples, 'form.yaml'),
      '--hub',
      join(examples, 'hub.yaml'),
      '--rows',
      join(examples, 'rows.csv'),
      '--namespace',
      'tenants',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; namespace: string; labels?: Record<string, string> };
          spec: Record<string, unknown>;
        },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'Deployment/tenants/acme-app',
      'Service/tenants/acme-svc',
      'Deployment/tenants/globex-app',
      'Service/tenants/globex-svc',
    ]);
    expect(docs[2]!.metadata.labels).toEqual({ app: 'globex', plan: 'basic' });
    expect(JSON.stringify(docs[2]!.spec)).toContain('"image":"nginx:latest"');
  });

  it('reports template errors with row uid, resource id, field and line:column, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-'));
    writeFileSync(
      join(dir, 'form.yaml'),
      `apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: h
  configMaps:
    - id: cfg
      nameTemplate: "{{ .uid }}-cfg"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data:
          tier: "{{ required \\"tier is required\\" .tier }}"
`,
    );
    writeFileSync(
      join(dir, 'rows.json'),
      JSON.stringify([
        { uid: 'a', tier: 'on' },
        { uid: 'b', tier: '' },
      ]),
    );
    const r = await run([
      'render',
      '--form',
      join(dir, 'form.yaml'),
      '--rows',
      join(dir, 'rows.json'),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: row "b": resource cfg: spec.configMaps[0].spec.data.tier 1:4: error calling required: tier is required',
    );
    expect(r.stdout).toContain('name: a-cfg');
    // YAML 1.1 readers (kubectl) would take a bare on for a boolean.
    expect(r.stdout).toContain('tier: "on"');
    expect(r.stdout).not.toContain('b-cfg');
  });

  it('maps the deprecated hostOrUrl column and reads YAML rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-'));
    writeFileSync(
      join(dir, 'hub.yaml'),
      `apiVersion: operator.lynq.sh/v1
kind: LynqHub
metadata: { name: hub1 }
spec:
  source: { type: mysql, syncInterval: 1m, mysql: { host: db, username: u, database: d, table: t } }
  valueMappings: { uid: id, activate: on, hostOrUrl: url }
  extraValueMappings: { tier: tier }
`,
    );
    writeFileSync(
      join(dir, 'form.yaml'),
      `apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: hub1
  ingresses:
    - id: ing
      nameTemplate: "{{ .uid }}-{{ .templateRef }}"
      labelsTemplate:
        hub: "{{ .hubId }}"
        tier: '{{ .tier | default "none" }}'
      spec:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        spec:
          rules:
            - host: "{{ .host }}"
`,
    );
    writeFileSync(
      join(dir, 'rows.yaml'),
      '- { id: 7, on: "Yes", url: "https://shop.example.com:8443/x", tier: null }\n- { id: 8, on: "no", url: x }\n',
    );
    const r = await run([
      'render',
      '--form',
      join(dir, 'form.yaml'),
      '--hub',
      join(dir, 'hub.yaml'),
      '--rows',
      join(dir, 'rows.yaml'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('deprecated');
    const docs = parseAllDocuments(r.stdout).map(
      (d) =>
        d.toJS() as {
          metadata: { name: string; labels: Record<string, string> };
          spec: { rules: { host: string }[] };
        },
    );
    expect(docs).toHaveLength(1);
    expect(docs[0]!.metadata.name).toBe('7-f');
    expect(docs[0]!.metadata.labels).toEqual({ hub: 'hub1', tier: 'none' });
    expect(docs[0]!.spec.rules[0]!.host).toBe('shop.example.com');
  });

  it('rejects an invalid form with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-'));
    writeFileSync(
      join(dir, 'form.yaml'),
      'apiVersion: operator.lynq.sh/v1\nkind: LynqForm\nmetadata: {name: f}\nspec:\n  hubId: h\n  services:\n    - id: s\n      nameTemplate: "{{ .uid | | trim }}"\n      spec: {apiVersion: v1, kind: Service}\n',
    );
    writeFileSync(join(dir, 'rows.yaml'), '- uid: a\n');
    const r = await run([
      'render',
      '--form',
      join(dir, 'form.yaml'),
      '--rows',
      join(dir, 'rows.yaml'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "spec.services[0].nameTemplate: invalid template in resource 's': 1:11: empty command",
    );
  });

  it('renders nunjucks forms only with --allow-nunjucks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-'));
    writeFileSync(
      join(dir, 'form.yaml'),
      'apiVersion: operator.lynq.sh/v1\nkind: LynqForm\nmetadata: {name: f}\nspec:\n  hubId: h\n  templateSyntax: nunjucks\n  configMaps:\n    - id: c\n      nameTemplate: "{{ uid | upper }}-cfg"\n      spec: {apiVersion: v1, kind: ConfigMap, data: {plan: "{{ plan | default(\'basic\') }}"}}\n',
    );
    writeFileSync(join(dir, 'rows.yaml'), '- uid: a\n');
    const args = ['render', '--form', join(dir, 'form.yaml'), '--rows', join(dir, 'rows.yaml')];
    const refused = await run(args);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'spec.templateSyntax: the nunjucks template syntax is disabled',
    );
    expect(refused.stderr).toContain('--allow-nunjucks');
    const allowed = await run([...args, '--allow-nunjucks']);
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    const docs = parseAllDocuments(allowed.stdout).map(
      (d) => d.toJS() as { metadata: { name: string }; data: Record<string, string> },
    );
    expect(docs.map((d) => [d.metadata.name, d.data.plan])).toEqual([['A-cfg', 'basic']]);
  });

  it('prints a JSON List or a table with -o', async () => {
    const args = [
      'render',
      '--form',
      join(examples, 'form.yaml'),
      '--hub',
      join(examples, 'hub.yaml'),
      '--rows',
      join(examples, 'rows.csv'),
    ];
    const json = await run([...args, '-o', 'json']);
    expect(json.status).toBe(0);
    const list = JSON.parse(json.stdout) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toEqual([
      'acme-app',
      'acme-svc',
      'globex-app',
      'globex-svc',
    ]);
    const t = await run([...args, '-o', 'table']);
    expect(t.stdout.split('\n')[1]).toBe('acme    Deployment  default    acme-app');
    expect((await run([...args, '-o', 'xml'])).status).toBe(2);
  });
});
