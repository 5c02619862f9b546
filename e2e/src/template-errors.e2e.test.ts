// Template errors (Lynq e2e "template validation" group, reference §2 item 5, §3.1 step 10, §3.3
// step 5, §3.5): a form whose templates do not parse is Valid=False with a ValidationFailed event;
// a name template that fails for a row is reported on the hub; a body that fails for one row's
// data fails that resource only, with a TemplateRenderError event, and recovers when the data is
// fixed; a dependency cycle is refused with DependencyValidationFailed.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'tpl' });
const HUB = 'tpl';
const UID = 't1';

beforeAll(async () => {
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'gold', region: 'eu' }]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
      extraValueMappings: { plan: 'plan' },
    }),
  );
});

function formCondition(name: string, status: 'True' | 'False') {
  return s.waitFor(
    async (note) => {
      const f = await s.form(name);
      note(f?.status);
      const valid = conditionOf(f, 'Valid');
      return valid?.status === status ? valid : undefined;
    },
    { what: `form ${name} Valid=${status}`, timeoutMs: 30_000 },
  );
}

describe('template errors', () => {
  it('a template that does not parse: Valid=False naming the resource, a ValidationFailed event, no objects', async () => {
    await s.create(
      form({
        name: 'bad-syntax',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          {
            id: 'pipe',
            nameTemplate: '{{ .uid | | trim }}',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
          },
          configMap('func', { a: '{{ invalidFunc .uid }}' }),
        ],
      }),
    );
    const valid = await formCondition('bad-syntax', 'False');
    expect(valid.reason).toBe('ValidationFailed');
    // Names each resource (its id, as Lynq's "in resource 'x'") and the field.
    expect(valid.message).toContain('pipe');
    expect(valid.message).toContain('spec.configMaps[0].nameTemplate');
    expect(valid.message).toContain('func');
    expect(valid.message).toContain('invalidFunc');
    const events = await s.event({ kind: 'LynqForm', name: 'bad-syntax' }, 'ValidationFailed');
    expect(events[0]?.type).toBe('Warning');
    expect(await s.kube.get(Res.ConfigMap, `${UID}-func`, s.namespace)).toBeUndefined();
  });

  it('an invalid ignoreFields JSONPath and an invalid readyWhen expression: Valid=False naming both', async () => {
    await s.create(
      form({
        name: 'bad-paths',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          configMap('ignoring', { x: '1' }, { ignoreFields: ['$.data[?(@.x =='] }),
          configMap('waiting', { x: '1' }, { readyWhen: ['self.data.x =='] }),
        ],
      }),
    );
    const valid = await formCondition('bad-paths', 'False');
    expect(valid.message).toContain('spec.configMaps[0].ignoreFields[0]');
    expect(valid.message).toContain('spec.configMaps[1].readyWhen[0]');
    await s.event({ kind: 'LynqForm', name: 'bad-paths' }, 'ValidationFailed');
  });

  it('an extra-mapping variable in a name template is valid (Lynq’s admission rejects it: quirk 8)', async () => {
    await s.create(
      form({
        name: 'extra-name',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          {
            id: 'e',
            nameTemplate: '{{ .uid }}-{{ .plan }}-e',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
          },
        ],
      }),
    );
    expect((await formCondition('extra-name', 'True')).reason).toBe('ValidationPassed');
    await s.nodeReady(nodeName(UID, 'extra-name'));
    await s.object(Res.ConfigMap, `${UID}-gold-e`);
  });

  it('a dependency cycle: Valid=False and DependencyValidationFailed', async () => {
    await s.create(
      form({
        name: 'cycle',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          configMap('a', { x: '1' }, { dependIds: ['b'] }),
          configMap('b', { x: '1' }, { dependIds: ['a'] }),
        ],
      }),
    );
    const valid = await formCondition('cycle', 'False');
    expect(valid.message).toMatch(/circular dependency/);
    await s.event({ kind: 'LynqForm', name: 'cycle' }, 'DependencyValidationFailed');
  });

  it('a form naming a hub that does not exist: Valid=False and HubNotFound', async () => {
    await s.create(
      form({
        name: 'orphan-form',
        namespace: s.namespace,
        hubId: 'no-such-hub',
        configMaps: [configMap('c', { x: '1' })],
      }),
    );
    const valid = await formCondition('orphan-form', 'False');
    expect(valid.message).toContain('no-such-hub');
    await s.event({ kind: 'LynqForm', name: 'orphan-form' }, 'HubNotFound');
  });

  it('a body that fails for one row’s data fails only that resource, with TemplateRenderError, and recovers when the data is fixed', async () => {
    await s.create(
      form({
        name: 'data',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          configMap('fine', { plan: '{{ .plan }}' }),
          configMap('picky', {
            plan: '{{ if eq .plan "broken" }}{{ fail "plan broken is not allowed" }}{{ end }}{{ .plan }}',
          }),
        ],
      }),
    );
    const name = nodeName(UID, 'data');
    await s.nodeReady(name);
    expect((await formCondition('data', 'True')).reason).toBe('ValidationPassed');

    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'broken' WHERE id = ?`, [UID]);
    const node = await s.waitFor(
      async (note) => {
        const n = await s.node(name);
        note(n?.status);
        return conditionOf(n, 'Ready')?.reason === 'ResourcesFailed' ? n : undefined;
      },
      { what: `LynqNode ${name} Ready=False ResourcesFailed`, timeoutMs: 30_000 },
    );
    expect(node.status).toMatchObject({ failedResources: 1, desiredResources: 2 });
    expect(conditionOf(node, 'Degraded')?.status).toBe('True');
    const rendered = await s.event({ kind: 'LynqNode', name }, 'TemplateRenderError');
    expect(rendered[0]?.type).toBe('Warning');
    expect(rendered[0]?.message).toContain('picky');
    expect(rendered[0]?.message).toContain('plan broken is not allowed');
    // The other resource of the node still follows the data.
    await s.waitFor(
      async (note) => {
        const cm = await s.kube.get<{ data?: Record<string, string> }>(
          Res.ConfigMap,
          `${UID}-fine`,
          s.namespace,
        );
        note(cm?.data);
        return cm?.data?.['plan'] === 'broken';
      },
      { what: 'ConfigMap t1-fine updated despite its sibling failing', timeoutMs: 30_000 },
    );

    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'silver' WHERE id = ?`, [UID]);
    const healed = await s.nodeReady(name, 30_000);
    expect(healed.status?.failedResources ?? 0).toBe(0);
    const picky = await s.kube.mustGet<{ data?: Record<string, string> }>(
      Res.ConfigMap,
      `${UID}-picky`,
      s.namespace,
    );
    expect(picky.data).toEqual({ plan: 'silver' });
  });

  it('a name template that fails for a row is reported on the hub, and no node is made for it', async () => {
    await s.create(
      form({
        name: 'named',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          {
            id: 'n',
            nameTemplate:
              '{{ if eq .plan "silver" }}{{ fail "no silver names" }}{{ end }}{{ .uid }}-named',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
          },
        ],
      }),
    );
    const events = await s.event({ kind: 'LynqHub', name: HUB }, 'TemplateRenderFailed', {
      messageIncludes: "LynqForm 'named'",
    });
    expect(events[0]?.type).toBe('Warning');
    expect(events[0]?.message).toContain('no silver names');
    expect(await s.node(nodeName(UID, 'named'))).toBeUndefined();
    // The hub's other forms are unaffected.
    await s.nodeReady(nodeName(UID, 'data'));
  });
});
