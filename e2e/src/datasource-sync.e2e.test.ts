// Datasource sync (Lynq e2e "datasource" group, reference §3.1): rows of a MariaDB table and of a
// VIEW become LynqNodes and objects; updates, deactivation and deletion follow; the truthy set,
// NULLs and extra mappings are read the way Lynq reads them.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Finalizers, Labels, Metrics } from '@lynq/api';
import type { LynqNode } from '@lynq/api';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'sync' });
const HUB = 'tenants';
const FORM = 'web';

interface ConfigMapObj {
  metadata: {
    name: string;
    uid: string;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  data?: Record<string, string>;
}

beforeAll(async () => {
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s' }),
      extraValueMappings: { plan: 'plan', region: 'region' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('cfg', {
          uid: '{{ .uid }}',
          activate: '{{ .activate }}',
          plan: '{{ .plan }}',
          region: '{{ .region }}',
        }),
      ],
    }),
  );
});

/** Names of the hub's LynqNodes whose uid starts with `prefix`. */
async function nodeNames(prefix: string, hubName = HUB): Promise<string[]> {
  return (await s.kube.nodesOf(hubName, s.namespace))
    .filter((n) => n.spec?.uid.startsWith(prefix) === true)
    .map((n) => n.metadata.name ?? '')
    .sort();
}

/** Waits until the ConfigMap's data matches `data` and returns it. */
function configMapData(name: string, data: Record<string, string>, timeoutMs = 30_000) {
  return s.waitFor(
    async (note) => {
      const cm = await s.kube.get<ConfigMapObj>(Res.ConfigMap, name, s.namespace);
      note(cm?.data ?? 'no such ConfigMap');
      return cm !== undefined && Object.entries(data).every(([k, v]) => cm.data?.[k] === v)
        ? cm
        : undefined;
    },
    { what: `ConfigMap ${name} data ${JSON.stringify(data)}`, timeoutMs },
  );
}

describe('datasource sync (MariaDB)', () => {
  it('an inserted active row becomes a LynqNode labelled, annotated and owned as Lynq does, with its objects', async () => {
    await s.db.insert(s.table, [{ id: 'acme', active: '1', plan: 'gold', region: 'eu' }]);
    const node = await s.nodeReady(nodeName('acme', FORM));
    const theForm = await s.form(FORM);
    expect(node.metadata.labels).toMatchObject({ [Labels.Hub]: HUB, [Labels.Uid]: 'acme' });
    expect(node.metadata.annotations).toMatchObject({
      [Annotations.Activate]: '1',
      [Annotations.Extra]: '{"plan":"gold","region":"eu"}',
      [Annotations.HubId]: HUB,
      [Annotations.TemplateGeneration]: String(theForm?.metadata.generation),
    });
    expect(node.metadata.finalizers).toContain(Finalizers.Node);
    const owner = node.metadata.ownerReferences?.find((o) => o.controller === true);
    expect(owner).toMatchObject({ kind: 'LynqHub', name: HUB });
    expect(node.spec).toMatchObject({ uid: 'acme', templateRef: FORM });

    const cm = await configMapData('acme-cfg', {
      uid: 'acme',
      activate: '1',
      plan: 'gold',
      region: 'eu',
    });
    expect(cm.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'LynqNode',
      name: 'acme-web',
      controller: true,
    });

    const theHub = await s.waitFor(
      async (note) => {
        const h = await s.hub(HUB);
        note(h?.status);
        return h?.status?.desired === 1 && h.status.ready === 1 ? h : undefined;
      },
      { what: `hub ${HUB} desired 1, ready 1`, timeoutMs: 30_000 },
    );
    expect(theHub.status?.referencingTemplates).toBe(1);
    expect(conditionOf(theHub, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'DatabaseConnected',
    });
    expect(theHub.metadata.finalizers).toContain(Finalizers.Hub);
  });

  it('an updated row updates the node annotations and the objects, extras and NULL extras included', async () => {
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = ?, region = NULL WHERE id = ?`, [
      'platinum',
      'acme',
    ]);
    await configMapData('acme-cfg', { plan: 'platinum', region: '' });
    const node = await s.node('acme-web');
    expect(node?.metadata.annotations?.[Annotations.Extra]).toBe('{"plan":"platinum","region":""}');
  });

  it('activate is exactly Lynq’s truthy set: 1, true, TRUE, True, yes, YES, Yes', async () => {
    const truthy = ['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'Yes'];
    const falsy = ['0', 'false', 'FALSE', 'no', 'No', 'y', 'Y', 'on', 't', '2', ' 1', '1 ', ''];
    await s.db.insert(s.table, [
      ...truthy.map((active, i) => ({ id: `t-${i}`, active, plan: 'p', region: 'r' })),
      ...falsy.map((active, i) => ({ id: `f-${i}`, active, plan: 'p', region: 'r' })),
    ]);
    const expected = truthy.map((_, i) => nodeName(`t-${i}`, FORM)).sort();
    await s.waitFor(
      async (note) => {
        const h = await s.hub(HUB);
        const names = [...(await nodeNames('t-')), ...(await nodeNames('f-'))].sort();
        note({ desired: h?.status?.desired, names });
        return (
          h?.status?.desired === 1 + truthy.length &&
          JSON.stringify(names) === JSON.stringify(expected)
        );
      },
      { what: 'one LynqNode per truthy row and none for the others', timeoutMs: 45_000 },
    );
    const yes = await s.node(nodeName(`t-${truthy.indexOf('Yes')}`, FORM));
    expect(yes?.metadata.annotations?.[Annotations.Activate]).toBe('Yes');
  });

  it('a NULL activate is inactive; NULL extras render as empty strings', async () => {
    await s.db.insert(s.table, [
      { id: 'n-on', active: '1', plan: null, region: null },
      { id: 'n-off', active: null, plan: 'gold', region: 'eu' },
    ]);
    await s.nodeReady(nodeName('n-on', FORM));
    await configMapData('n-on-cfg', { plan: '', region: '', activate: '1' });
    const h = await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status);
        return x?.status?.desired === 9 ? x : undefined;
      },
      { what: 'hub desired 9 (acme, 7 truthy, n-on)', timeoutMs: 30_000 },
    );
    expect(h.status?.desired).toBe(9);
    expect(await nodeNames('n-')).toEqual([nodeName('n-on', FORM)]);
  });

  it('deactivating a row deletes its node and, by deletionPolicy Delete, its objects', async () => {
    const before = await s.kube.mustGet<ConfigMapObj>(Res.ConfigMap, 'acme-cfg', s.namespace);
    expect(before.metadata.uid).toBeTruthy();
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = '0' WHERE id = 'acme'`);
    await s.gone(Res.Node, 'acme-web', { timeoutMs: 30_000 });
    await s.gone(Res.ConfigMap, 'acme-cfg', { timeoutMs: 30_000 });
    await s.event({ kind: 'LynqHub', name: HUB }, 'NodeDeleting', { timeoutMs: 15_000 });
    // The other nodes are untouched.
    expect(await nodeNames('t-')).toHaveLength(7);
  });

  it('a deleted row deletes its node and objects', async () => {
    await s.db.exec(`DELETE FROM ${s.db.ident(s.table)} WHERE id = 't-0'`);
    await s.gone(Res.Node, 't-0-web', { timeoutMs: 30_000 });
    await s.gone(Res.ConfigMap, 't-0-cfg', { timeoutMs: 30_000 });
    expect(await nodeNames('t-')).toHaveLength(6);
  });

  it('a VIEW is read like a table (computed uid, activate and extras)', async () => {
    const view = `${s.table}_v`;
    await s.db.exec(
      `CREATE VIEW ${s.db.ident(view)} AS SELECT CONCAT('v-', id) AS tenant_id, IF(plan = 'gold', '1', '0') AS is_active, region AS zone FROM ${s.db.ident(s.table)}`,
    );
    s.onCleanup(() => s.db.exec(`DROP VIEW IF EXISTS ${s.db.ident(view)}`));
    await s.db.insert(s.table, [{ id: 'g1', active: '0', plan: 'gold', region: 'ap' }]);
    await s.create(
      hub({
        name: 'by-view',
        namespace: s.namespace,
        source: mysqlSource(view, { syncInterval: '2s' }),
        uid: 'tenant_id',
        activate: 'is_active',
        extraValueMappings: { zone: 'zone' },
      }),
    );
    await s.create(
      form({
        name: 'vform',
        namespace: s.namespace,
        hubId: 'by-view',
        configMaps: [configMap('zone', { zone: '{{ .zone }}' })],
      }),
    );
    const node: LynqNode = await s.nodeReady(nodeName('v-g1', 'vform'));
    expect(node.metadata.labels?.[Labels.Hub]).toBe('by-view');
    await configMapData('v-g1-zone', { zone: 'ap' });
    // Only gold rows are active through the view; the main hub's g1 (active '0') has no node.
    expect(await s.node(nodeName('g1', FORM))).toBeUndefined();
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'silver' WHERE id = 'g1'`);
    await s.gone(Res.Node, nodeName('v-g1', 'vform'), { timeoutMs: 30_000 });
    await s.gone(Res.ConfigMap, 'v-g1-zone', { timeoutMs: 30_000 });
  });

  it('syncs that find nothing changed write nothing: hubs, forms, nodes and objects keep their resourceVersion', async () => {
    await s.waitFor(
      async (note) => {
        const h = await s.hub(HUB);
        const nodes = await s.kube.nodesOf(HUB, s.namespace);
        note({
          hub: h?.status,
          notReady: nodes
            .filter((n) => conditionOf(n, 'Ready')?.status !== 'True')
            .map((n) => n.metadata.name),
        });
        return (
          h?.status?.desired === nodes.length &&
          h.status.ready === nodes.length &&
          nodes.every((n) => conditionOf(n, 'Ready')?.status === 'True')
        );
      },
      { what: 'the hub settled (every node Ready and counted)', timeoutMs: 30_000 },
    );
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const type of [Res.Hub, Res.Form, Res.Node, Res.ConfigMap])
        for (const o of await s.kube.list(type, s.namespace))
          out[`${type.kind}/${o.metadata.name}`] = o.metadata.resourceVersion ?? '';
      return out;
    };
    /** Write requests (POST, PUT, PATCH, DELETE; events included) the operator has sent so far. */
    const writes = async () => {
      const m = await scrapeMetrics(s.operator.metricsUrl);
      return ['POST', 'PUT', 'PATCH', 'DELETE'].reduce(
        (n, method) => n + (m.value(Metrics.RestClientRequestsTotal, { method }) ?? 0),
        0,
      );
    };
    // Settled: a whole sync interval in which nothing changed (the other hub and the forms catch
    // up on the last test's deletions a sync later).
    let last: { at: number; key: string } | undefined;
    await s.waitFor(
      async (note) => {
        const key = JSON.stringify(await snapshot());
        const now = Date.now();
        if (last?.key !== key) {
          last = { at: now, key };
          note('still changing');
          return false;
        }
        return now - last.at >= 2_500;
      },
      { what: 'a sync interval without changes', timeoutMs: 30_000, intervalMs: 500 },
    );
    const before = await snapshot();
    const writesBefore = await writes();
    expect(Object.keys(before).length).toBeGreaterThan(10);
    // Four sync intervals of both hubs.
    await s.holdsFor(
      async (note) => {
        const now = await snapshot();
        const changed = Object.keys({ ...before, ...now }).filter((k) => before[k] !== now[k]);
        note(changed);
        return changed.length === 0;
      },
      { what: 'no object written by an idle sync', durationMs: 8_000, intervalMs: 1_000 },
    );
    expect((await writes()) - writesBefore, 'API writes by the operator while idle').toBe(0);
  });
});
