// Rows whose values try to change what a form renders: YAML/JSON structure, document breaks,
// template text, type markers, huge values. Templates fill string leaves of an already-parsed
// spec and nothing re-parses their output, so a value stays one string where the template put
// it; what is bounded fails with an error naming the resource and the field.
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { INT_MARKER } from './markers.js';
import { renderForm } from './render-form.js';
import { buildVariables } from './variables.js';

function form(spec: Record<string, unknown>): LynqForm {
  return assertParsed(
    parseForm({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { hubId: 'h', ...spec },
    }),
  );
}

const vars = (value: string) =>
  buildVariables({ uid: 'acme', hubId: 'h', templateRef: 'web', extra: { v: value } });

const cm = form({
  configMaps: [
    {
      id: 'cm',
      nameTemplate: '{{ .uid }}-cm',
      labelsTemplate: { v: 'x' },
      annotationsTemplate: { note: '{{ .v }}' },
      spec: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: { plain: '{{ .v }}', quoted: '"{{ .v }}"', yaml: 'key: {{ .v }}' },
      },
    },
  ],
});

const INJECTIONS = [
  'a\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding',
  'x\nmetadata:\n  namespace: kube-system',
  '", "namespace": "kube-system", "x": "',
  '"}, {"kind": "Secret"',
  "' ; rm -rf / ; '",
  '{{ .uid }}{{ fail "pwned" }}',
  '{% raw %}{{ 7 * 7 }}{% endraw %}',
  '${jndi:ldap://x}',
  '__proto__',
  '\u0000\u2028\u2029\uFEFF',
  '[1, 2, {"a": 1}]',
  '&anchor *alias !!binary',
];

describe('row values that look like structure or template text', () => {
  it('stay one string in the field that printed them; nothing else changes', () => {
    const baseline = renderForm(cm, vars('ok'), { namespace: 'apps' }).resources[0]!.manifest!;
    for (const value of INJECTIONS) {
      const { resources, errors } = renderForm(cm, vars(value), { namespace: 'apps' });
      expect(errors, value).toEqual([]);
      const m = resources[0]!.manifest!;
      expect(m.data, value).toEqual({
        plain: value,
        quoted: `"${value}"`,
        yaml: `key: ${value}`,
      });
      expect(m.metadata.annotations, value).toEqual({ note: value });
      // Same shape as a harmless row: same keys, same name, namespace, kind and labels.
      expect(Object.keys(m).sort(), value).toEqual(Object.keys(baseline).sort());
      expect(m.metadata.namespace, value).toBe('apps');
      expect(m.metadata.name, value).toBe('acme-cm');
      expect(m.kind, value).toBe('ConfigMap');
      expect(m.metadata.labels, value).toEqual({ v: 'x' });
    }
  });

  it('a type marker in data changes at most a scalar’s type (as in Lynq), never adds structure', () => {
    const typed = form({
      deployments: [
        {
          id: 'd',
          nameTemplate: 'd',
          spec: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: '{{ .v }}' } },
        },
      ],
    });
    const render = (value: string) =>
      renderForm(typed, vars(value), { namespace: 'apps' }).resources[0]!.manifest!['spec'];
    expect(render(`${INT_MARKER}3`)).toEqual({ replicas: 3 });
    expect(render(`${INT_MARKER}{"a":1}`)).toEqual({ replicas: `${INT_MARKER}{"a":1}` });
    expect(render('3')).toEqual({ replicas: '3' });
  });
});

describe('bounded output', () => {
  it('a value of a megabyte renders once; repeating it is refused naming resource and field', () => {
    const big = 'x'.repeat(1 << 20);
    const once = renderForm(cm, vars(big), { namespace: 'apps' });
    // `plain` is exactly the output limit (1 Mi characters); `quoted` and `yaml` add to it and
    // are refused, each with its field.
    expect(once.errors.map((e) => e.path).sort()).toEqual([
      'spec.configMaps[0].spec.data.quoted',
      'spec.configMaps[0].spec.data.yaml',
    ]);
    expect(once.resources[0]!.manifest === undefined).toBe(true);

    const loud = form({
      configMaps: [
        {
          id: 'loud',
          nameTemplate: 'loud',
          spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { x: '{{ repeat 200000 .v }}' } },
        },
      ],
    });
    const started = performance.now();
    const { errors, resources } = renderForm(loud, vars('0123456789'), { namespace: 'apps' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(resources[0]!.manifest === undefined).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ resourceId: 'loud', path: 'spec.configMaps[0].spec.data.x' });
    expect(errors[0]!.message).toMatch(/limit|at most|exceed/i);
  });

  it('a name longer than 253 characters renders (the plan refuses it, naming the resource)', () => {
    const long = form({
      configMaps: [
        { id: 'c', nameTemplate: '{{ .v }}', spec: { apiVersion: 'v1', kind: 'ConfigMap' } },
      ],
    });
    const { resources } = renderForm(long, vars('n'.repeat(300)), { namespace: 'apps' });
    expect(resources[0]!.name).toHaveLength(300);
  });
});
