import { readFileSync } from 'node:fs';
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { goParseCount } from './go/compile.js';
import { compileForm, renderForm } from './render-form.js';
import { templateCheck, validateTemplates } from './validate-templates.js';
import { buildVariables } from './variables.js';

const seedForm = (): LynqForm =>
  assertParsed(
    parseForm(readFileSync(new URL('./testdata/seed-form.yaml', import.meta.url), 'utf8'), {
      checks: [validateTemplates],
    }),
  );

const vars = buildVariables({
  uid: 'acme',
  hubId: 'my-saas-hub',
  templateRef: 'web-app',
  extra: { planId: '', deployImage: '' },
});

describe('renderForm', () => {
  it('renders the seed examples as they describe', () => {
    const { resources, errors } = renderForm(seedForm(), vars, { namespace: 'default' });
    expect(errors).toEqual([]);
    const app = resources.find((r) => r.id === 'app')!;
    expect(app).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'acme-app',
      namespace: 'default',
      dependIds: [],
    });
    expect(app.manifest!.metadata).toEqual({
      name: 'acme-app',
      namespace: 'default',
      // The spec's own labels merged with labelsTemplate (the template wins on conflicts).
      labels: { team: 'platform', app: 'acme', plan: 'basic' },
    });
    const spec = app.manifest!.spec as {
      replicas: unknown;
      template: { spec: { containers: { image: string; ports: { containerPort: unknown }[] }[] } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.containers[0]!.image).toBe('nginx:latest');
    expect(spec.template.spec.containers[0]!.ports[0]!.containerPort).toBe(8080);
    const svc = resources.find((r) => r.id === 'svc')!;
    expect([svc.name, svc.dependIds]).toEqual(['acme-svc', ['app']]);
    expect(svc.policies).toEqual({
      creationPolicy: 'WhenNeeded',
      deletionPolicy: 'Delete',
      conflictPolicy: 'Stuck',
      patchStrategy: 'apply',
      waitForReady: true,
      timeoutSeconds: 300,
      skipOnDependencyFailure: true,
      ignoreFields: [],
      readyWhen: [],
    });
  });

  it('keeps strings where Kubernetes wants strings, and resolves typed values elsewhere', () => {
    const { resources } = renderForm(
      seedForm(),
      { ...vars, planId: '7', customReplicas: '5' },
      { namespace: 'default' },
    );
    const cfg = resources.find((r) => r.id === 'cfg')!;
    expect(cfg.manifest!.data).toEqual({ replicas: '42', ratio: '1.5', enabled: 'true' });
    expect(cfg.manifest!.metadata.annotations).toEqual({ 'lynq.example/plan': '7' });
    expect(cfg.namespace).toBe('tenant-acme');
    expect(
      (resources.find((r) => r.id === 'app')!.manifest!.spec as { replicas: unknown }).replicas,
    ).toBe(5);
  });

  it('gives Namespaces no namespace', () => {
    const ns = renderForm(seedForm(), vars, { namespace: 'default' }).resources.find(
      (r) => r.id === 'ns',
    )!;
    expect(ns.namespace).toBeUndefined();
    expect(ns.manifest!.metadata).toEqual({ name: 'tenant-acme' });
  });

  it("takes each kind's scope from discovery: cluster-scoped kinds get no namespace", () => {
    const form = seedForm();
    form.spec.manifests = [
      {
        id: 'role',
        nameTemplate: '{{ .uid }}-reader',
        spec: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'x' },
          rules: [],
        },
      } as never,
    ];
    const scopes = { 'rbac.authorization.k8s.io/v1/ClusterRole': 'Cluster' } as const;
    const role = (options: Parameters<typeof renderForm>[2]) =>
      renderForm(form, vars, options).resources.find((r) => r.id === 'role')!;
    const withDiscovery = role({ namespace: 'default', scopes });
    expect(withDiscovery.namespace).toBeUndefined();
    expect(withDiscovery.manifest!.metadata.namespace).toBeUndefined();
    // Without discovery only Namespace is known to be cluster-scoped.
    expect(role({ namespace: 'default' }).namespace).toBe('default');
  });

  it('collects errors per resource and field; one bad resource never hides the others', () => {
    const form = seedForm();
    form.spec.deployments![0]!.spec = {
      ...form.spec.deployments![0]!.spec,
      spec: { replicas: '{{ .nope }}', paused: '{{ if }}' },
    };
    const { resources, errors } = renderForm(form, vars, { namespace: 'default' });
    const app = resources.find((r) => r.id === 'app')!;
    expect(app.manifest).toBeUndefined();
    expect(app.errors).toEqual([
      {
        resourceId: 'app',
        path: 'spec.deployments[0].spec.spec.replicas',
        phase: 'execute',
        message: 'map has no entry for key "nope"',
        line: 1,
        column: 4,
      },
      {
        resourceId: 'app',
        path: 'spec.deployments[0].spec.spec.paused',
        phase: 'parse',
        message: 'missing value for if',
        line: 1,
        column: 4,
      },
    ]);
    expect(errors).toEqual(app.errors);
    expect(resources.filter((r) => r.manifest).map((r) => r.id)).toEqual(['svc', 'cfg', 'ns']);
  });

  it('renders many rows from one compilation, never re-parsing', () => {
    const form = seedForm();
    form.spec.deployments![0]!.nameTemplate = '{{ .uid }}-app-{{ "unique to this test" | len }}';
    const before = goParseCount;
    const compiled = compileForm(form);
    expect(goParseCount).toBe(before + 1);
    for (let i = 0; i < 100; i++) compiled.render({ ...vars, uid: `u${i}` }, { namespace: 'n' });
    expect(goParseCount).toBe(before + 1);
    const names = ['a', 'b', 'c'].map(
      (uid) => compiled.render({ ...vars, uid }, { namespace: 'n' }).resources[0]!.name,
    );
    expect(names).toEqual(['a-app-19', 'b-app-19', 'c-app-19']);
  });

  it('supports nunjucks forms', () => {
    const form = seedForm();
    form.spec.templateSyntax = 'nunjucks';
    form.spec.deployments = [
      {
        ...form.spec.deployments![0]!,
        nameTemplate: '{{ uid }}-app',
        labelsTemplate: { plan: '{{ planId | default("basic") }}' },
        spec: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: '{{ 3 | int }}' } },
      },
    ];
    form.spec.services = [];
    form.spec.configMaps = [];
    form.spec.namespaces = [];
    const { resources, errors } = renderForm(form, vars, {
      namespace: 'default',
      allowNunjucks: true,
    });
    expect(errors).toEqual([]);
    expect(resources[0]!.manifest).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'acme-app', namespace: 'default', labels: { plan: 'basic' } },
      spec: { replicas: 3 },
    });
  });
});

describe('validateTemplates', () => {
  it('accepts extra-mapping variables in name, label and annotation templates', () => {
    expect(validateTemplates(seedForm())).toEqual({ errors: [], warnings: [] });
  });

  it('rejects templates that do not parse, with the field and line:column', () => {
    const form = seedForm();
    form.spec.deployments![0]!.nameTemplate = '{{ .uid | | trim }}';
    form.spec.deployments![0]!.labelsTemplate = { app: '{{ invalidFunc .uid }}' };
    form.spec.services![0]!.spec = {
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: '{{ if .x }}' },
    };
    const { errors } = validateTemplates(form);
    expect(errors).toEqual([
      {
        path: 'spec.deployments[0].nameTemplate',
        message: "invalid template in resource 'app': 1:11: empty command",
      },
      {
        path: 'spec.deployments[0].labelsTemplate.app',
        message: 'invalid template in resource \'app\': 1:4: function "invalidFunc" not defined',
      },
      {
        path: 'spec.services[0].spec.spec.type',
        message: "invalid template in resource 'svc': 1:12: unexpected EOF",
      },
    ]);
  });

  it('checks nunjucks forms with nunjucks syntax', () => {
    const form = seedForm();
    form.spec.templateSyntax = 'nunjucks';
    form.spec.deployments = [
      {
        ...form.spec.deployments![0]!,
        nameTemplate: '{{ uid }}-{{ planId | default("basic") }}',
        labelsTemplate: { plan: '{{ planId }}', broken: '{% if %}' },
        spec: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          spec: { replicas: '{{ replicas | int }}' },
        },
      },
    ];
    form.spec.services = [];
    form.spec.configMaps = [];
    form.spec.namespaces = [];
    expect(templateCheck({ allowNunjucks: true })(form).errors).toEqual([
      {
        path: 'spec.deployments[0].labelsTemplate.broken',
        message: "invalid template in resource 'app': 1:7: unexpected token: %}",
      },
    ]);
  });

  it('reports fail/required in name templates as warnings', () => {
    const form = seedForm();
    form.spec.deployments![0]!.nameTemplate = '{{ required "planId is required" .planId }}-app';
    expect(validateTemplates(form)).toEqual({
      errors: [],
      warnings: [
        {
          path: 'spec.deployments[0].nameTemplate',
          message:
            "template fails with sample variables in resource 'app': 1:4: error calling required: planId is required",
        },
      ],
    });
  });
});

describe('buildVariables', () => {
  it('builds reference §4 variables, with deprecated host from hostOrUrl', () => {
    expect(
      buildVariables({
        uid: 'u1',
        hubId: 'h',
        templateRef: 't',
        hostOrUrl: 'https://a.example.com:8443/x',
        extra: { plan: 'gold', uid: 'spoof' },
      }),
    ).toEqual({
      plan: 'gold',
      uid: 'u1',
      activate: 'true',
      hubId: 'h',
      templateRef: 't',
      hostOrUrl: 'https://a.example.com:8443/x',
      host: 'a.example.com',
    });
  });
});
