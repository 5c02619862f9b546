import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_OR_URL_DEPRECATION } from './validate.js';
import { assertParsed, parseForm, parseHub, parseNode } from './parse.js';
import { LynqValidationError } from './issues.js';

const testdata = (name: string) =>
  readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');

describe('seed examples', () => {
  it('parses the Architecture hub, with the hostOrUrl deprecation as a warning', () => {
    const result = parseHub(testdata('seed-architecture-hub.yaml'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec.source.mysql?.port).toBe(3306);
    expect(result.value.spec.source.syncInterval).toBe('30s');
    expect(result.value.spec.extraValueMappings).toEqual({
      planId: 'subscription_plan',
      deployImage: 'container_image',
    });
    expect(result.warnings).toEqual([
      { path: 'spec.valueMappings.hostOrUrl', message: HOST_OR_URL_DEPRECATION },
    ]);
  });

  it('parses the how-it-works hub (indentation fixed) with no warnings', () => {
    const result = parseHub(testdata('seed-howto-hub.yaml'));
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });

  it.each(['seed-architecture-form.yaml', 'seed-howto-form.yaml'])(
    'parses %s and applies every resource default',
    (file) => {
      const form = assertParsed(parseForm(testdata(file)));
      expect(form.spec.templateSyntax).toBe('go');
      const app = form.spec.deployments?.[0];
      expect(app).toMatchObject({
        creationPolicy: 'WhenNeeded',
        deletionPolicy: 'Delete',
        conflictPolicy: 'Stuck',
        patchStrategy: 'apply',
        waitForReady: true,
        skipOnDependencyFailure: true,
        timeoutSeconds: 300,
      });
    },
  );

  it('keeps the templates of the how-it-works form as written', () => {
    const form = assertParsed(parseForm(testdata('seed-howto-form.yaml')));
    expect(form.spec.deployments?.[0]?.labelsTemplate).toEqual({
      app: '{{ .uid }}',
      plan: '{{ .planId | default "basic" }}',
    });
    expect(form.spec.services?.[0]?.dependIds).toEqual(['app']);
  });

  it('reports the lost indentation of the original how-it-works hub precisely', () => {
    const broken = testdata('seed-howto-hub.yaml').replace(
      '    syncInterval: 30s',
      '  syncInterval: 30s',
    );
    const result = parseHub(broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ path: 'spec.syncInterval', message: 'unknown field' }]);
  });
});

describe('parse entry points', () => {
  it('accepts JSON text and objects as well as YAML', () => {
    const yamlForm = assertParsed(parseForm(testdata('seed-howto-form.yaml')));
    expect(assertParsed(parseForm(JSON.stringify(yamlForm)))).toEqual(yamlForm);
    expect(assertParsed(parseForm(yamlForm))).toEqual(yamlForm);
  });

  it('reports YAML syntax errors with line and column', () => {
    const result = parseHub('apiVersion: operator.lynq.sh/v1\nkind: [LynqHub\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).toMatch(/^invalid YAML at line \d+, column \d+/);
  });

  it('rejects several documents where one is expected', () => {
    const result = parseHub('a: 1\n---\nb: 2\n');
    expect(result).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringContaining('found 2') }],
    });
  });

  it('names the object in a thrown LynqValidationError', () => {
    const text = testdata('seed-howto-form.yaml').replace('hubId: my-saas-hub', 'hubId: ""');
    const result = parseForm(text);
    expect(() => assertParsed(result)).toThrow(LynqValidationError);
    expect(() => assertParsed(result)).toThrow(
      /^LynqForm web-app is invalid:\n {2}spec.hubId: hubId is required/,
    );
  });

  it('parses a LynqNode', () => {
    const node = assertParsed(
      parseNode({
        apiVersion: 'operator.lynq.sh/v1',
        kind: 'LynqNode',
        metadata: { name: 'acme-web-app', namespace: 'default' },
        spec: {
          uid: 'acme',
          templateRef: 'web-app',
          deployments: [{ id: 'app', spec: { apiVersion: 'apps/v1', kind: 'Deployment' } }],
        },
        status: {
          appliedResources: ['Deployment/default/acme-app@app'],
          appliedResourceRefs: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: 'default',
              name: 'acme-app',
              id: 'app',
            },
          ],
        },
      }),
    );
    expect(node.spec?.deployments?.[0]?.timeoutSeconds).toBe(300);
    expect(node.status?.appliedResourceRefs?.[0]?.apiVersion).toBe('apps/v1');
  });
});

describe('hostile YAML', () => {
  it('reports an alias bomb as an error instead of throwing', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      lines.push(
        `a${i}: &a${i} [${Array<string>(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    const yaml = `apiVersion: operator.lynq.sh/v1\nkind: LynqHub\nmetadata: {name: x}\nspec:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    for (const parse of [parseHub, parseForm, parseNode]) {
      const result = parse(yaml);
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors[0]!.message).toMatch(/^invalid YAML: .*alias/);
    }
  });
});

describe('__proto__ keys in forms', () => {
  it('keeps __proto__ as an ordinary key of a resource body and of labelsTemplate', () => {
    const yaml = [
      'apiVersion: operator.lynq.sh/v1',
      'kind: LynqForm',
      'metadata: { name: f, namespace: default }',
      'spec:',
      '  hubId: hub',
      '  configMaps:',
      '    - id: cm',
      '      nameTemplate: "{{ .uid }}"',
      '      labelsTemplate: { __proto__: "{{ .uid }}", app: x }',
      '      spec:',
      '        apiVersion: v1',
      '        kind: ConfigMap',
      '        __proto__: { polluted: "yes" }',
      '        data: { a: "1" }',
    ].join('\n');
    const form = assertParsed(parseForm(yaml));
    const cm = form.spec.configMaps![0]!;
    expect(Object.keys(cm.spec)).toEqual(['apiVersion', 'kind', '__proto__', 'data']);
    expect(Object.getOwnPropertyDescriptor(cm.spec, '__proto__')?.value).toEqual({
      polluted: 'yes',
    });
    expect(Object.getPrototypeOf(cm.spec)).toBe(Object.prototype);
    expect(Object.keys(cm.labelsTemplate!)).toEqual(['__proto__', 'app']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps __proto__ as an ordinary key of metadata labels and annotations', () => {
    const hub = JSON.parse(
      '{"apiVersion":"operator.lynq.sh/v1","kind":"LynqHub","metadata":{"name":"h","namespace":"default","labels":{"__proto__":"x","a":"b"},"annotations":{"__proto__":"y"}},"spec":{"source":{"type":"mysql","mysql":{"host":"db","username":"u","database":"d","table":"t"}},"valueMappings":{"uid":"id","activate":"on"}}}',
    ) as unknown;
    const parsed = assertParsed(parseHub(hub));
    expect(Object.keys(parsed.metadata.labels!)).toEqual(['__proto__', 'a']);
    expect(Object.keys(parsed.metadata.annotations!)).toEqual(['__proto__']);
  });
});

describe('deeply nested input', () => {
  it('refuses an object nested deeper than MAX_NESTING with an error, instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 5000; i++) {
      const next: Record<string, unknown> = {};
      deep.x = next;
      deep = next;
    }
    const result = parseHub({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqHub',
      metadata: { name: 'h', namespace: 'default' },
      spec: root,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/nested more than 1000 levels deep/);
    // Ordinary nesting is untouched.
    expect(
      parseForm({
        apiVersion: 'operator.lynq.sh/v1',
        kind: 'LynqForm',
        metadata: { name: 'f', namespace: 'd' },
        spec: { hubId: 'h' },
      }).ok,
    ).toBe(true);
  });
});
