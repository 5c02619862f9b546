import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { examples, run } from '../test-io.js';
import { validateTexts } from './validate.js';

const hub = `apiVersion: operator.lynq.sh/v1
kind: LynqHub
metadata: { name: h, namespace: apps }
spec:
  source: { type: mysql, syncInterval: 1m, mysql: { host: db, username: u, database: d, table: t } }
  valueMappings: { uid: id, activate: on }
`;

describe('lynq validate', () => {
  it('finds the errors of a broken form with field path and line:column, and exits 1', async () => {
    const r = await run(['validate', `${examples}broken-form.yaml`]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `${examples}broken-form.yaml:13:19: error: LynqForm tenants/broken: spec.deployments[0].dependIds[0]: dependency validation failed: circular dependency detected: app -> svc -> app`,
    );
    expect(lines[1]).toMatch(
      /broken-form\.yaml:15:11: error: LynqForm tenants\/broken: spec\.deployments\[0\]\.readyWhen\[0\]: readyWhen validation failed: /,
    );
    expect(lines[2]).toBe(
      `${examples}broken-form.yaml:23:21: error: LynqForm tenants/broken: spec.services[0].nameTemplate: invalid template in resource 'svc': 1:11: empty command`,
    );
    expect(lines.at(-1)).toBe('1 object checked (0 valid), 3 errors, 0 warnings');
  });

  it('accepts the examples and exits 0', async () => {
    const r = await run([
      'validate',
      `${examples}hub.yaml`,
      `${examples}form.yaml`,
      `${examples}form-v2.yaml`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3 objects checked (3 valid), 0 errors, 0 warnings');
    expect(r.status).toBe(0);
  });

  it('reads several documents from stdin, positions each in its document, and skips other kinds', async () => {
    const text = `${hub}---
apiVersion: v1
kind: ConfigMap
metadata: { name: other }
---
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f, namespace: apps }
spec:
  hubId: h
  configMaps:
    - id: c
      nameTemplate: "{{ .uid }}"
      spec: { apiVersion: v1, kind: ConfigMap }
    - id: c
      nameTemplate: "{{ .uid }}-2"
      spec: { apiVersion: v1, kind: ConfigMap }
`;
    const r = await run(['validate', '-o', 'json', '-'], text);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as Awaited<ReturnType<typeof validateTexts>>;
    expect(result.objects.map((o) => [o.kind, o.name, o.line, o.valid])).toEqual([
      ['LynqHub', 'h', 1, true],
      ['LynqForm', 'f', 12, false],
    ]);
    expect(result.skipped).toEqual([
      { kind: 'ConfigMap', name: 'other', file: '<stdin>', line: 8 },
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      severity: 'error',
      file: '<stdin>',
      line: 21,
      column: 11,
      object: { kind: 'LynqForm', namespace: 'apps', name: 'f' },
      path: 'spec.configMaps[1].id',
    });
    expect(result.findings[0]!.message).toContain('duplicate');
  });

  it('reports hub errors, YAML syntax errors and non-objects with positions', async () => {
    const result = await validateTexts([
      { name: 'a.yaml', text: hub.replace('activate: on', 'activate: ""') },
      { name: 'b.yaml', text: 'kind: LynqForm\nmetadata: {name: [\n' },
      { name: 'c.yaml', text: '- 1\n- 2\n' },
    ]);
    const where = result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.path}`);
    expect(where[0]).toBe('a.yaml:6:39 spec.valueMappings.activate');
    expect(where.some((w) => w.startsWith('b.yaml:'))).toBe(true);
    expect(where).toContain('c.yaml:1:1 ');
    expect(result.errors).toBe(result.findings.length);
  });

  it('knows plugin source types only when told', async () => {
    const redis = hub.replace(
      'type: mysql, syncInterval: 1m, mysql: { host: db, username: u, database: d, table: t }',
      'type: redis',
    );
    expect((await validateTexts([{ name: 'h.yaml', text: redis }])).errors).toBeGreaterThan(0);
    expect(
      (await validateTexts([{ name: 'h.yaml', text: redis }], { pluginSourceTypes: ['redis'] }))
        .errors,
    ).toBe(0);
  });

  it('prints yaml', async () => {
    const r = await run(['validate', '--output', 'yaml', `${examples}broken-form.yaml`]);
    const data = parseYaml(r.stdout) as { errors: number; findings: { line: number }[] };
    expect(data.errors).toBe(3);
    expect(data.findings.map((f) => f.line)).toEqual([13, 15, 23]);
  });

  it('is a usage error (2) without files, with an unknown flag or an unreadable file', async () => {
    for (const argv of [
      ['validate'],
      ['validate', '--nope', 'x'],
      ['validate', '/no/such/file.yaml'],
      ['validate', '-o', 'xml', 'x'],
    ]) {
      const r = await run(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^lynq validate: /);
    }
  });
});
