import { LynqValidationError, parseForm, parseHub } from '@lynq/api';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { form, hub, toJson, toYaml } from './index.js';

const mysqlHub = () =>
  hub({
    name: 'tenants',
    namespace: 'apps',
    labels: { team: 'platform' },
    spec: {
      source: {
        type: 'mysql',
        mysql: { host: 'db', username: 'lynq', database: 'app', table: 'tenants' },
      },
      valueMappings: { uid: 'id', activate: 'active' },
    },
  });

function issuesOf(build: () => unknown): { path: string; message: string }[] {
  try {
    build();
  } catch (err) {
    if (err instanceof LynqValidationError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a LynqValidationError');
}

describe('hub()', () => {
  it('returns the object as written, which the operator parses', () => {
    const h = mysqlHub();
    expect(h).toEqual({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqHub',
      metadata: { name: 'tenants', namespace: 'apps', labels: { team: 'platform' } },
      spec: {
        source: {
          type: 'mysql',
          mysql: { host: 'db', username: 'lynq', database: 'app', table: 'tenants' },
        },
        valueMappings: { uid: 'id', activate: 'active' },
      },
    });
    expect(parseHub(h).ok).toBe(true);
  });

  it('lists every error with its field path', () => {
    const issues = issuesOf(() =>
      hub({
        name: 'tenants',
        namespace: 'apps',
        spec: {
          source: {
            type: 'mysql',
            mysql: { host: '', username: 'lynq', database: 'app', table: 't' },
          },
          valueMappings: { uid: 'id' } as never,
        },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['spec.source.mysql.host', 'spec.valueMappings.activate']),
    );
  });

  it('refuses a plugin source type unless it is declared', () => {
    const spec = {
      source: { type: 'csv', config: { path: '/data/t.csv' } },
      valueMappings: { uid: 'id', activate: 'active' },
    };
    expect(issuesOf(() => hub({ name: 'h', namespace: 'n', spec })).map((i) => i.path)).toEqual([
      'spec.source.type',
    ]);
    expect(hub({ name: 'h', namespace: 'n', spec, pluginSourceTypes: ['csv'] }).spec).toEqual(spec);
  });

  it('reports warnings without failing', () => {
    const warnings: string[] = [];
    hub({
      name: 'h',
      namespace: 'n',
      spec: {
        source: { type: 'mysql', mysql: { host: 'db', username: 'u', database: 'd', table: 't' } },
        valueMappings: { uid: 'id', activate: 'active', hostOrUrl: 'url' },
      },
      onWarning: (w) => warnings.push(w.path),
    });
    expect(warnings).toContain('spec.valueMappings.hostOrUrl');
  });
});

describe('form()', () => {
  it('returns the object as written, without the webhook defaults', () => {
    const f = form({
      name: 'web',
      namespace: 'apps',
      spec: {
        hubId: 'tenants',
        configMaps: [
          {
            id: 'config',
            nameTemplate: '{{ .uid }}-config',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: {} },
          },
        ],
      },
    });
    expect(f.spec.configMaps?.[0]).toEqual({
      id: 'config',
      nameTemplate: '{{ .uid }}-config',
      spec: { apiVersion: 'v1', kind: 'ConfigMap', data: {} },
    });
    expect(parseForm(f).ok).toBe(true);
  });

  it('checks ids, the graph and the templates, every error with its path', () => {
    const issues = issuesOf(() =>
      form({
        name: 'web',
        namespace: 'apps',
        spec: {
          hubId: 'tenants',
          deployments: [
            { id: 'app', dependIds: ['db'], nameTemplate: '{{ .uid }', spec: {} },
            { id: 'app', nameTemplate: 'x', spec: {} },
          ],
        },
      }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('spec.deployments[0].nameTemplate');
    expect(paths.some((p) => p.startsWith('spec.deployments[0].dependIds'))).toBe(true);
    expect(paths.some((p) => p.startsWith('spec.deployments[1].id'))).toBe(true);
  });

  it('names the cycle of a dependency loop', () => {
    const issues = issuesOf(() =>
      form({
        name: 'web',
        namespace: 'apps',
        spec: {
          hubId: 'tenants',
          configMaps: [
            { id: 'a', dependIds: ['b'], nameTemplate: 'a', spec: {} },
            { id: 'b', dependIds: ['a'], nameTemplate: 'b', spec: {} },
          ],
        },
      }),
    );
    expect(issues.map((i) => i.message).join('\n')).toMatch(/a.*b.*a|b.*a.*b/);
  });

  it('refuses nunjucks unless allowed', () => {
    const spec = {
      hubId: 'tenants',
      templateSyntax: 'nunjucks' as const,
      configMaps: [
        { id: 'c', nameTemplate: '{{ uid }}-c', spec: { apiVersion: 'v1', kind: 'ConfigMap' } },
      ],
    };
    expect(issuesOf(() => form({ name: 'f', namespace: 'n', spec })).map((i) => i.path)).toContain(
      'spec.templateSyntax',
    );
    expect(form({ name: 'f', namespace: 'n', spec, allowNunjucks: true }).spec).toEqual(spec);
  });
});

describe('toYaml and toJson', () => {
  it('writes one YAML document per object that reads back equal', () => {
    const h = mysqlHub();
    const text = toYaml([h, h]);
    const docs = parseAllDocuments(text);
    expect(Array.isArray(docs) && docs.map((d) => d.toJS() as unknown)).toEqual([h, h]);
    expect(text).not.toContain('&'); // no anchors for the object seen twice
    expect(toYaml(h)).not.toContain('---');
  });

  it('writes one object as JSON, several as a List', () => {
    const h = mysqlHub();
    expect(JSON.parse(toJson(h))).toEqual(h);
    expect(JSON.parse(toJson([h]))).toEqual({ apiVersion: 'v1', kind: 'List', items: [h] });
    expect(toJson(h).endsWith('}\n')).toBe(true);
  });
});
