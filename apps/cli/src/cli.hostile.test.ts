// Hostile review of the CLI: YAML files and rows written by someone else, forms that try to reach
// the CLI user's files and environment, names and messages carrying terminal escape sequences,
// Secret values in plans and diffs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskChanges, maskObject } from './secret-mask.js';
import { terminalSafe } from './terminal.js';
import { run } from './test-io.js';

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function files(entries: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lynq-cli-hostile-'));
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('terminal output', () => {
  it('prints names and messages from a file with their escape sequences made visible', async () => {
    const dir = files({
      'esc.yaml': `apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: "x\\e]0;pwned\\a\\e[2J\\e]52;c;ZWNobyBwd25lZA==\\a", namespace: "a\\rb" }
spec:
  hubId: h
  deployments:
    - { id: "i\\e[31m\\u202e", nameTemplate: "{{ .x", spec: { apiVersion: apps/v1, kind: Deployment } }
`,
    });
    for (const output of ['table', 'yaml', 'json']) {
      const r = await run(['validate', '-o', output, join(dir, 'esc.yaml')]);
      expect(r.status).toBe(1);
      expect(r.stdout + r.stderr).not.toMatch(CONTROL);
      expect(r.stdout).not.toContain('\u202e');
    }
    const table = await run(['validate', join(dir, 'esc.yaml')]);
    expect(table.stdout).toContain('x\\u001b]0;pwned\\u0007');
  });

  it('keeps newlines and tabs, escapes the rest', () => {
    expect(terminalSafe('a\tb\nc\x1b[0m\x9b\x7f\r')).toBe('a\tb\nc\\u001b[0m\\u009b\\u007f\\u000d');
  });
});

describe('hostile YAML', () => {
  it('refuses an alias bomb quickly, as a finding', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const dir = files({
      'bomb.yaml': `${levels.join('\n')}\n`,
      'rows.yaml': `${levels.join('\n')}\n`,
    });
    const started = Date.now();
    const r = await run(['validate', join(dir, 'bomb.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Excessive alias count');
    const rows = await run([
      'render',
      '--form',
      join(dir, 'bomb.yaml'),
      '--rows',
      join(dir, 'rows.yaml'),
    ]);
    expect(rows.status).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports nesting deeper than the parser can follow as a finding, not a crash', async () => {
    const dir = files({
      'deep.yaml': `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
      'deep2.yaml': `a: ${'{b: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
    });
    for (const f of ['deep.yaml', 'deep2.yaml']) {
      const r = await run(['validate', join(dir, f)]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/error: /);
    }
  });

  it('does not apply YAML merge keys (<<) or custom tags', async () => {
    const dir = files({
      'merge.yaml': `base: &b { kind: LynqForm }
doc:
  <<: *b
  x: !!js/function "function(){ return process.env }"
`,
    });
    const r = await run(['validate', '-o', 'json', join(dir, 'merge.yaml')]);
    expect(r.stdout).not.toContain('process.env');
    // No document has a Lynq kind once `<<` stays a plain key: nothing is taken for an object.
    expect(r.stdout).not.toContain('"kind": "LynqForm"');
  });
});

describe('hostile forms rendered by the CLI', () => {
  const form = (template: string, syntax = 'go') => `apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: h
  templateSyntax: ${syntax}
  configMaps:
    - id: cfg
      nameTemplate: '{{ .uid }}-cfg'
      spec:
        apiVersion: v1
        kind: ConfigMap
        data: { v: '${template}' }
`;

  it.each([
    ['env', '{{ env "HOME" }}'],
    ['expandenv', '{{ expandenv "$HOME" }}'],
    ['readFile', '{{ readFile "/etc/passwd" }}'],
    ['huge output', '{{ repeat 1000000000 "x" }}'],
    ['endless range', '{{ range $i := until 100000000 }}{{ $i }}{{ end }}'],
  ])('%s: fails for the row through the sandbox, reads nothing', async (_, template) => {
    process.env['LYNQ_HOSTILE_PROBE'] = 'probe-value-123';
    const dir = files({ 'form.yaml': form(template), 'rows.json': '[{"uid":"a"}]' });
    const started = Date.now();
    const r = await run([
      'render',
      '--form',
      join(dir, 'form.yaml'),
      '--rows',
      join(dir, 'rows.json'),
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('root:');
    expect(r.stdout).not.toContain(process.env['HOME'] ?? '/root');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses nunjucks forms unless told (nunjucks is no sandbox)', async () => {
    const dir = files({
      'form.yaml': form('{{ range.constructor("return process.env")() }}', 'nunjucks'),
      'rows.json': '[{"uid":"a"}]',
    });
    const r = await run([
      'render',
      '--form',
      join(dir, 'form.yaml'),
      '--rows',
      join(dir, 'rows.json'),
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('PATH');
  });
});

describe('Secret values in plans and diffs', () => {
  it('masks Secret data in changes, keeping paths and whether a value changed', () => {
    const masked = maskChanges('Secret', [
      { op: 'change', path: 'data.password', before: 'b2xk', after: 'bmV3' },
      { op: 'add', path: 'stringData', after: { token: 'tok-123' } },
      { op: 'remove', path: "data['a.b']", before: 'eA==' },
      { op: 'add', path: '', after: { kind: 'Secret', data: { k: 'dmFs' } } },
      { op: 'change', path: 'metadata.labels.app', before: 'a', after: 'b' },
    ]);
    const text = JSON.stringify(masked);
    for (const v of ['b2xk', 'bmV3', 'tok-123', 'eA==', 'dmFs']) expect(text).not.toContain(v);
    expect(masked[0]).toMatchObject({
      before: '[redacted: old value]',
      after: '[redacted: new value]',
    });
    expect(masked[1]?.after).toEqual({ token: '[redacted]' });
    expect(masked[4]).toMatchObject({ before: 'a', after: 'b' });
  });

  it('masks kubectl last-applied on any kind (it copies the whole object)', () => {
    const la = 'kubectl.kubernetes.io/last-applied-configuration';
    const masked = maskChanges('ConfigMap', [
      {
        op: 'change',
        path: `metadata.annotations['${la}']`,
        before: '{"p":"old"}',
        after: '{"p":"x"}',
      },
      { op: 'add', path: 'metadata.annotations', after: { [la]: '{"p":"y"}', other: 'ok' } },
    ]);
    expect(JSON.stringify(masked)).not.toContain('"p"');
    expect(JSON.stringify(masked)).toContain('ok');
    const obj = maskObject(
      { kind: 'Secret', metadata: { name: 's', annotations: { [la]: 'zz' } }, data: { k: 'dmFs' } },
      'Secret',
    );
    expect(JSON.stringify(obj)).not.toMatch(/dmFs|zz/);
  });
});
