import { HOST_OR_URL_DEPRECATION, type LynqForm } from '@lynq/api';
import { validateTemplates } from '@lynq/render';
import { describe, expect, it } from 'vitest';
import { checkForm, checkHub, TEMPLATE_CHECK_FAILED_PATH } from './check-form.js';

const cm = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  nameTemplate: `{{ .uid }}-${id}`,
  spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
  ...extra,
});

const formObject = (spec: Record<string, unknown>) => ({
  apiVersion: 'operator.lynq.sh/v1',
  kind: 'LynqForm',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { hubId: 'tenants', ...spec },
});

const inProcess = { templates: validateTemplates };

describe('checkForm', () => {
  it('accepts a valid form, defaulted, and names it', async () => {
    const r = await checkForm(
      formObject({ configMaps: [cm('a'), cm('b', { dependIds: ['a'] })] }),
      inProcess,
    );
    expect(r).toMatchObject({ ok: true, object: 'LynqForm apps/web' });
    if (!r.ok) return;
    expect(r.value.spec.configMaps?.[0]).toMatchObject({
      creationPolicy: 'WhenNeeded',
      deletionPolicy: 'Delete',
      timeoutSeconds: 300,
    });
  });

  it('reports every error at once: ids, cycle path, JSONPath, CEL and templates', async () => {
    const r = await checkForm(
      formObject({
        configMaps: [
          cm('a', { dependIds: ['b'] }),
          cm('b', { dependIds: ['a'] }),
          cm('a'),
          cm('j', { ignoreFields: ['$.data[?(@.x =='] }),
          cm('c', { readyWhen: ['self.data.x =='] }),
          cm('t', { nameTemplate: '{{ .uid | | trim }}' }),
        ],
      }),
      inProcess,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.configMaps[2].id',
        'spec.configMaps[0].dependIds[0]',
        'spec.configMaps[3].ignoreFields[0]',
        'spec.configMaps[4].readyWhen[0]',
        'spec.configMaps[5].nameTemplate',
      ]),
    );
    expect(r.errors.find((e) => /circular/.test(e.message))?.message).toMatch(
      /a -> b -> a|b -> a -> b/,
    );
  });

  it('accepts extra-mapping variables in name templates (unlike Lynq, quirk 8)', async () => {
    const r = await checkForm(
      formObject({ configMaps: [cm('x', { nameTemplate: '{{ .uid }}-{{ .planId }}' })] }),
      inProcess,
    );
    expect(r.ok).toBe(true);
  });

  it('refuses the form with the reason when the template check cannot run', async () => {
    const r = await checkForm(formObject({ configMaps: [cm('a')] }), {
      templates: () => Promise.reject(new Error('the render process timed out')),
    });
    expect(r).toMatchObject({
      ok: false,
      errors: [
        {
          path: TEMPLATE_CHECK_FAILED_PATH,
          message: 'template check failed: the render process timed out',
        },
      ],
    });
  });

  it('does not call the template check when the schema fails, and reports the schema errors', async () => {
    let called = 0;
    const r = await checkForm(formObject({ configMaps: [{ id: 'a', spec: 'nope' }] }), {
      templates: (f: LynqForm) => {
        called++;
        return validateTemplates(f);
      },
    });
    expect(called).toBe(0);
    expect(r).toMatchObject({ ok: false, errors: [{ path: 'spec.configMaps[0].spec' }] });
  });
});

describe('checkForm on forms built to break it', () => {
  it('checks a 20,000-resource dependency chain (the graph check has no recursion per resource)', async () => {
    const chain = formObject({
      configMaps: Array.from({ length: 20_000 }, (_, i) =>
        cm(`r${i}`, i > 0 ? { dependIds: [`r${i - 1}`] } : {}),
      ),
    });
    const r = await checkForm(chain, inProcess);
    expect(r).toMatchObject({ ok: true, object: 'LynqForm apps/web' });
  });

  it('never throws on a form nested too deep to copy: the depth error names where', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const form = formObject({
      configMaps: [cm('a', { spec: { apiVersion: 'v1', kind: 'ConfigMap', data: deep } })],
    });
    const r = await checkForm(form, inProcess);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      expect.objectContaining({ message: 'nested more than 1000 levels deep' }),
    ]);
  });
});

describe('checkHub', () => {
  const hubObject = (
    source: Record<string, unknown>,
    mappings: Record<string, unknown> = { uid: 'id', activate: 'on' },
  ) => ({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name: 'h', namespace: 'apps' },
    spec: { source, valueMappings: mappings },
  });

  it('reports every missing mapping, and hostOrUrl as a warning', () => {
    const r = checkHub(
      hubObject(
        { type: 'mysql', mysql: { host: 'db', username: 'u', database: 'd', table: 't' } },
        { uid: '', activate: '', hostOrUrl: 'url' },
      ),
    );
    expect(r).toMatchObject({
      ok: false,
      object: 'LynqHub apps/h',
      errors: [{ path: 'spec.valueMappings.uid' }, { path: 'spec.valueMappings.activate' }],
      warnings: [{ path: 'spec.valueMappings.hostOrUrl', message: HOST_OR_URL_DEPRECATION }],
    });
  });

  it('accepts source types of loaded plugins only', () => {
    const plugin = hubObject({ type: 'memory', config: { rows: [] } });
    expect(checkHub(plugin).ok).toBe(false);
    expect(checkHub(plugin, { pluginSourceTypes: ['memory'] }).ok).toBe(true);
  });
});
