// Fuzzing hub and form specs through everything that judges or renders them: @lynq/api's parse,
// @lynq/plan's checkHub/checkForm (schema, graph, JSONPath, CEL, templates, target policy),
// @lynq/render's renderForm with hostile row values, and planNode's objects. Inputs are mostly
// well-shaped objects with hostile values (template text, prototype keys, huge and odd strings,
// wrong types) so that they reach deep into the checks, plus arbitrary JSON. Properties: nothing
// throws or rejects, and every rejection is a typed issue with a field path and a message.
//
// Bounded: LYNQ_FUZZ_RUNS (default 300) cases per property, each render capped at 50 ms and
// 20,000 steps; the whole file runs in well under 30 s. A failure prints fast-check's seed and
// path; rerun with LYNQ_FUZZ_SEED=<seed> (and LYNQ_FUZZ_PATH=<path>) to replay it.
import { parseForm, parseHub, type FieldIssue } from '@lynq/api';
import { buildVariables, renderForm, validateTemplates } from '@lynq/render';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkForm, checkHub } from './check-form.js';
import { planNode } from './plan-node.js';
import type { ScopeOf } from './resource-key.js';
import { hub, plan, row, stored } from './testdata/fixtures.js';

const RUNS = Number(process.env['LYNQ_FUZZ_RUNS'] ?? 300);
const SEED = process.env['LYNQ_FUZZ_SEED'];
const PATH = process.env['LYNQ_FUZZ_PATH'];
const params: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: Number(SEED) } : {}),
  ...(PATH !== undefined ? { path: PATH } : {}),
};
const LIMITS = { timeoutMs: 50, maxSteps: 20_000 };

/** Strings an attacker would try, and random ones. */
const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '{{ .uid }}',
      '{{ .v }}',
      '{{',
      '}}',
      '{{ fail "no" }}',
      '{{ required "x" .missing }}',
      '{{ template "a" }}',
      '{{ define "a" }}{{ template "a" }}{{ end }}',
      '{{ range until 100000000 }}x{{ end }}',
      '{{ repeat 100000000 "x" }}',
      '{{ printf "%0999999999d" 1 }}',
      '{{ .uid | int }}',
      '{{ index . "__proto__" }}',
      '{{ .constructor.constructor }}',
      '{{ toYaml . }}',
      '{{ regexMatch "(a+)+$" (repeat 50 "a") }}',
      '{% for x in range(100000000) %}x{% endfor %}',
      '{{/* unclosed',
      '---\nkind: ClusterRole',
      '"}, {"kind": "Secret"',
      '$.spec[?(@.x == 1)]',
      '$..*',
      'self.status.replicas ==',
      'has(self.x) && self.y.z > 1',
      'kube-system',
      '__proto__',
      'constructor',
      'a'.repeat(300),
      '\u0000',
      '\uD800',
      '',
      'v1',
      'apps/v1',
      'Namespace',
      'ClusterRole',
    ),
  },
);

const key = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'a/b', 'a~1') },
);

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));

/** A value that is usually of the right type, sometimes anything. */
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: json });

const ids = fc.constantFrom('a', 'b', 'c', 'd', 'app', 'ns', 'a b', '');

const resource = fc.record(
  {
    id: maybe(ids),
    nameTemplate: maybe(nasty),
    targetNamespace: maybe(nasty),
    dependIds: maybe(fc.array(maybe(ids), { maxLength: 3 })),
    labelsTemplate: maybe(fc.dictionary(key, nasty, { maxKeys: 3 })),
    annotationsTemplate: maybe(fc.dictionary(key, nasty, { maxKeys: 3 })),
    creationPolicy: maybe(fc.constantFrom('Once', 'WhenNeeded', 'Never')),
    deletionPolicy: maybe(fc.constantFrom('Delete', 'Retain', 'Orphan')),
    conflictPolicy: maybe(fc.constantFrom('Stuck', 'Force', 'Whatever')),
    patchStrategy: maybe(fc.constantFrom('apply', 'merge', 'replace', 'json')),
    waitForReady: maybe(fc.boolean()),
    timeoutSeconds: maybe(fc.integer({ min: -10, max: 100_000 })),
    ignoreFields: maybe(fc.array(nasty, { maxLength: 3 })),
    readyWhen: maybe(fc.array(nasty, { maxLength: 2 })),
    spec: maybe(
      fc.record(
        {
          apiVersion: maybe(fc.constantFrom('v1', 'apps/v1', 'rbac.authorization.k8s.io/v1')),
          kind: maybe(
            fc.constantFrom('ConfigMap', 'Deployment', 'Namespace', 'ClusterRole', 'Widget'),
          ),
          metadata: json,
          data: fc.dictionary(key, nasty, { maxKeys: 4 }),
          spec: json,
        },
        { requiredKeys: ['apiVersion', 'kind'] },
      ),
    ),
  },
  { requiredKeys: ['id', 'nameTemplate', 'spec'] },
);

const LISTS = ['configMaps', 'deployments', 'namespaces', 'services', 'manifests'] as const;

const formInput = fc.record({
  apiVersion: maybe(fc.constant('operator.lynq.sh/v1')),
  kind: maybe(fc.constant('LynqForm')),
  metadata: maybe(
    fc.record({
      name: maybe(fc.constantFrom('web', 'x', 'Bad Name')),
      namespace: fc.constant('apps'),
    }),
  ),
  spec: maybe(
    fc.record(
      {
        hubId: maybe(fc.constant('tenants')),
        templateSyntax: maybe(fc.constantFrom('go', 'nunjucks', 'jinja')),
        configMaps: maybe(fc.array(resource, { maxLength: 3 })),
        deployments: maybe(fc.array(resource, { maxLength: 2 })),
        namespaces: maybe(fc.array(resource, { maxLength: 2 })),
        services: maybe(fc.array(resource, { maxLength: 2 })),
        manifests: maybe(fc.array(resource, { maxLength: 3 })),
        rollout: json,
      },
      { requiredKeys: ['hubId'] },
    ),
  ),
});

/** Values a template may print: valid template text with hostile pieces, or hostile plain text. */
const templateText = fc.oneof(
  fc.constantFrom(
    '{{ .uid }}',
    '{{ .v }}',
    '{{ .uid }}-{{ .v }}',
    '{{ .v | lower }}',
    '{{ .v | int }}',
    '{{ .v | toYaml }}',
    '{{ .v | quote }}',
    '{{ fail "no" }}',
    '{{ range until 100000000 }}x{{ end }}',
    '{{ repeat 100000000 "x" }}',
    '{{ .missing }}',
    '{{ index . "__proto__" }}',
    '{{ if eq .v "kube-system" }}kube-system{{ end }}',
    'kube-system',
    'ok',
  ),
  fc.string({ maxLength: 20 }).filter((x) => !x.includes('{{') && !x.includes('{%')),
);

/** A well-formed form whose templates and values are hostile: it gets past the schema. */
const wellFormedForm = fc
  .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 5 })
  .chain((resourceIds) =>
    fc
      .tuple(
        ...resourceIds.map((id) =>
          fc.record(
            {
              list: fc.constantFrom(...LISTS),
              kind: fc.constantFrom('ConfigMap', 'Namespace', 'ClusterRole', 'Widget', 'Service'),
              nameTemplate: fc.oneof(
                {
                  weight: 4,
                  arbitrary: fc.constantFrom('{{ .uid | lower }}-n', 'fixed', 'n-{{ .v }}'),
                },
                { weight: 1, arbitrary: templateText },
              ),
              targetNamespace: templateText,
              dependIds: fc.subarray(resourceIds.filter((x) => x < id)),
              label: templateText,
              value: templateText,
              deep: fc.oneof(
                { weight: 3, arbitrary: fc.constant({}) },
                { weight: 1, arbitrary: json },
              ),
            },
            { requiredKeys: ['list', 'kind', 'nameTemplate', 'value', 'deep'] },
          ),
        ),
      )
      .map((parts) => {
        const spec: Record<string, unknown[]> = {};
        parts.forEach((r, i) => {
          const resource: Record<string, unknown> = {
            id: resourceIds[i],
            nameTemplate: r.nameTemplate,
            spec: {
              apiVersion:
                r.kind === 'ClusterRole'
                  ? 'rbac.authorization.k8s.io/v1'
                  : r.kind === 'Widget'
                    ? 'example.com/v1'
                    : 'v1',
              kind: r.kind,
              data: { v: r.value },
              extra: r.deep,
            },
          };
          if (r.targetNamespace !== undefined) resource['targetNamespace'] = r.targetNamespace;
          if (r.dependIds !== undefined && r.dependIds.length > 0)
            resource['dependIds'] = r.dependIds;
          if (r.label !== undefined) resource['labelsTemplate'] = { l: r.label };
          (spec[r.list] ??= []).push(resource);
        });
        return {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqForm',
          metadata: { name: 'web', namespace: 'apps' },
          spec: { hubId: 'tenants', ...spec },
        };
      }),
  );

const hubInput = fc.record({
  apiVersion: maybe(fc.constant('operator.lynq.sh/v1')),
  kind: maybe(fc.constant('LynqHub')),
  metadata: maybe(fc.record({ name: maybe(nasty), namespace: fc.constant('apps') })),
  spec: maybe(
    fc.record({
      source: maybe(
        fc.record({
          type: maybe(fc.constantFrom('mysql', 'postgresql', 'csv')),
          syncInterval: maybe(fc.constantFrom('30s', '1m', '0s', '-1s', '1y', 'soon')),
          mysql: maybe(
            fc.record({
              host: maybe(nasty),
              port: maybe(fc.integer({ min: -1, max: 70_000 })),
              username: maybe(nasty),
              database: maybe(nasty),
              table: maybe(nasty),
              passwordRef: maybe(fc.record({ name: maybe(nasty), key: maybe(nasty) })),
            }),
          ),
          postgresql: maybe(
            fc.record({ host: maybe(nasty), database: maybe(nasty), table: maybe(nasty) }),
          ),
        }),
      ),
      valueMappings: maybe(
        fc.record({ uid: maybe(nasty), activate: maybe(nasty), hostOrUrl: maybe(nasty) }),
      ),
      extraValueMappings: maybe(fc.dictionary(key, nasty, { maxKeys: 4 })),
      deletionGuard: json,
      rollout: json,
    }),
  ),
});

function expectIssues(issues: readonly FieldIssue[], what: string): void {
  for (const issue of issues) {
    expect(typeof issue.path, `${what}: ${JSON.stringify(issue)}`).toBe('string');
    expect(typeof issue.message, `${what}: ${JSON.stringify(issue)}`).toBe('string');
    expect(issue.message.length, `${what}: ${JSON.stringify(issue)}`).toBeGreaterThan(0);
  }
}

/** Whether an issue list names a field for every issue, when the input was an object at all. */
function everyIssueHasAField(issues: readonly FieldIssue[]): boolean {
  return issues.every((i) => i.path !== '');
}

const scopeOf: ScopeOf = (apiVersion, kind) =>
  kind === 'Widget'
    ? undefined
    : ['Namespace', 'ClusterRole'].includes(kind)
      ? 'Cluster'
      : 'Namespaced';

describe('fuzz: hub and form specs through validation and rendering', () => {
  it('parseHub and checkHub never throw; every rejection names a field', () => {
    fc.assert(
      fc.property(hubInput, (input) => {
        for (const result of [parseHub(input), checkHub(input)]) {
          expectIssues(result.warnings, 'hub warning');
          if (!result.ok) {
            expectIssues(result.errors, 'hub error');
            expect(everyIssueHasAField(result.errors), JSON.stringify(result.errors)).toBe(true);
          }
        }
      }),
      params,
    );
  });

  it('arbitrary JSON as a hub or a form is refused with issues, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (input) => {
        const h = checkHub(input);
        if (!h.ok) expectIssues(h.errors, 'hub error');
        const f = await checkForm(input, { templates: validateTemplates });
        if (!f.ok) expectIssues(f.errors, 'form error');
      }),
      params,
    );
  });

  it('checkForm never rejects; every rejection names a field; admitted forms render and plan without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 1, arbitrary: formInput }, { weight: 2, arbitrary: wellFormedForm }),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom('acme', 'Acme', 'kube-system', 'a'.repeat(300)) },
          { weight: 1, arbitrary: nasty },
        ),
        fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom('ok', 'kube-system', '') },
          { weight: 3, arbitrary: nasty },
        ),
        async (input, uid, value) => {
          expect(() => parseForm(input)).not.toThrow();
          const checked = await checkForm(input, { templates: validateTemplates });
          expectIssues(checked.warnings, 'form warning');
          if (!checked.ok) {
            expectIssues(checked.errors, 'form error');
            expect(everyIssueHasAField(checked.errors), JSON.stringify(checked.errors)).toBe(true);
            return;
          }
          const form = checked.value;
          // Rendering with hostile row values: errors per resource and field, never a throw.
          const vars = buildVariables({
            uid,
            hubId: 'tenants',
            templateRef: 'web',
            extra: { v: value },
          });
          const rendered = renderForm(form, vars, { namespace: 'apps', limits: LIMITS });
          for (const e of rendered.errors) {
            expect(e.path.startsWith('spec.'), JSON.stringify(e)).toBe(true);
            expect(e.message.length).toBeGreaterThan(0);
          }
          // Through the hub's plan into a node, and the node's objects: the apply path's checks.
          if (uid === '' || form.metadata.name !== 'web') return;
          const p = plan({
            hub: hub(),
            forms: [form],
            fetch: { ok: true, rows: [row(uid, { v: value })], problems: [] },
            existing: [],
          });
          const created = p.create[0];
          if (created === undefined) return;
          const node = stored(created);
          const np = planNode(node);
          if (!np.ok) {
            expect(np.error.message.length).toBeGreaterThan(0);
            return;
          }
          const r = renderForm(np.source, np.variables, {
            namespace: np.namespace,
            limits: LIMITS,
          });
          const objects = np.objects(r, scopeOf);
          for (const o of objects.objects) {
            // An object either goes to the applier whole, or carries the errors that say why not.
            expect(o.manifest === undefined || o.errors.length === 0).toBe(true);
            if (o.manifest === undefined) expect(o.errors.length, o.id).toBeGreaterThan(0);
            for (const e of o.errors)
              expect(e.path.startsWith('spec.'), JSON.stringify(e)).toBe(true);
          }
        },
      ),
      params,
    );
  });
});
