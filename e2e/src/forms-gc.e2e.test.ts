// Several forms per hub and node garbage collection (Lynq e2e "multi-template" group, reference
// §3.1 steps 7–12 and §3.2): one node per row × form, counted on hub and form status; a form's
// removal deletes exactly its nodes; a new form gets nodes for the existing rows.
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

const s = useScenario({ name: 'forms' });
const HUB = 'fleet';

beforeAll(async () => {
  await s.db.insert(s.table, [
    { id: 'a', active: '1', plan: 'gold', region: 'eu' },
    { id: 'b', active: '1', plan: 'free', region: 'us' },
  ]);
  await s.create(hub({ name: HUB, namespace: s.namespace, source: mysqlSource(s.table) }));
  for (const name of ['web', 'worker'])
    await s.create(
      form({
        name,
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [configMap(`${name}-cfg`, { form: name, uid: '{{ .uid }}' })],
      }),
    );
});

async function names(): Promise<string[]> {
  return (await s.kube.nodesOf(HUB, s.namespace)).map((n) => n.metadata.name ?? '');
}

describe('multiple forms per hub', () => {
  it('makes one node per active row and form, each with its own objects', async () => {
    for (const uid of ['a', 'b'])
      for (const f of ['web', 'worker']) await s.nodeReady(nodeName(uid, f));
    expect(await names()).toEqual(['a-web', 'a-worker', 'b-web', 'b-worker']);
    for (const uid of ['a', 'b'])
      for (const f of ['web', 'worker']) await s.object(Res.ConfigMap, `${uid}-${f}-cfg`);
  });

  it('counts nodes on the hub (forms × rows) and on each form', async () => {
    const h = await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status);
        return x?.status?.desired === 4 &&
          x.status.ready === 4 &&
          x.status.referencingTemplates === 2
          ? x
          : undefined;
      },
      { what: 'hub referencingTemplates 2, desired 4, ready 4', timeoutMs: 30_000 },
    );
    expect(h.status?.failed ?? 0).toBe(0);
    for (const name of ['web', 'worker']) {
      const f = await s.waitFor(
        async (note) => {
          const x = await s.form(name);
          note(x?.status);
          return x?.status?.totalNodes === 2 && x.status.readyNodes === 2 ? x : undefined;
        },
        { what: `form ${name} totalNodes 2, readyNodes 2`, timeoutMs: 30_000 },
      );
      expect(conditionOf(f, 'Valid')).toMatchObject({ status: 'True', reason: 'ValidationPassed' });
      expect(conditionOf(f, 'Applied')).toMatchObject({ status: 'True', reason: 'AllNodesReady' });
      // No maxSkew: no rollout status (Lynq e2e).
      expect(f.status?.rollout).toBeUndefined();
    }
  });

  it('deleting a form deletes exactly its nodes and their objects; the other form’s nodes are untouched', async () => {
    const webUids = (await s.kube.nodesOf(HUB, s.namespace))
      .filter((n) => n.spec?.templateRef === 'web')
      .map((n) => n.metadata.uid);
    await s.kube.delete(Res.Form, 'worker', s.namespace);
    for (const uid of ['a', 'b']) {
      await s.gone(Res.Node, nodeName(uid, 'worker'), { timeoutMs: 30_000 });
      await s.gone(Res.ConfigMap, `${uid}-worker-cfg`, { timeoutMs: 30_000 });
    }
    const web = (await s.kube.nodesOf(HUB, s.namespace)).map((n) => n.metadata.uid);
    expect(web).toEqual(webUids);
    await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status);
        return x?.status?.desired === 2 && x.status.referencingTemplates === 1;
      },
      { what: 'hub referencingTemplates 1, desired 2', timeoutMs: 30_000 },
    );
  });

  it('a form added later gets nodes for the rows that already exist', async () => {
    await s.create(
      form({
        name: 'batch',
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [configMap('batch-cfg', { form: 'batch' })],
      }),
    );
    await s.nodeReady(nodeName('a', 'batch'));
    await s.nodeReady(nodeName('b', 'batch'));
    expect(await names()).toEqual(['a-batch', 'a-web', 'b-batch', 'b-web']);
  });

  it('a form of another hub in the namespace is not counted and gets none of this hub’s rows', async () => {
    // Only b is active for the other hub: it reads activate from a column where only b is truthy.
    await s.create(
      hub({
        name: 'other',
        namespace: s.namespace,
        source: mysqlSource(s.table),
        activate: 'region',
      }),
    );
    await s.db.exec(
      `UPDATE ${s.db.ident(s.table)} SET region = CASE id WHEN 'b' THEN 'yes' ELSE 'no' END`,
    );
    await s.create(
      form({
        name: 'solo',
        namespace: s.namespace,
        hubId: 'other',
        configMaps: [configMap('solo', { x: '1' })],
      }),
    );
    await s.nodeReady(nodeName('b', 'solo'));
    const mine = await names();
    expect(mine).toEqual(['a-batch', 'a-web', 'b-batch', 'b-web']);
    expect((await s.kube.nodesOf('other', s.namespace)).map((n) => n.metadata.name)).toEqual([
      'b-solo',
    ]);
    const h = await s.hub(HUB);
    expect(h?.status?.referencingTemplates).toBe(2);
  });

  it('a LynqNode deleted by hand is created again while its row is active', async () => {
    const before = await s.kube.mustGet(Res.Node, 'a-web', s.namespace);
    await s.kube.delete(Res.Node, 'a-web', s.namespace);
    const again = await s.waitFor(
      async (note) => {
        const n = await s.node('a-web');
        note(n?.metadata.uid ?? 'absent');
        return n !== undefined && n.metadata.uid !== before.metadata.uid ? n : undefined;
      },
      { what: 'LynqNode a-web recreated with a new uid', timeoutMs: 30_000 },
    );
    expect(again.spec?.uid).toBe('a');
    await s.nodeReady('a-web');
    await s.object(Res.ConfigMap, 'a-web-cfg');
  });
  it('uids that are no valid object name or label get sanitised, hashed node names and labels; spec.uid keeps the uid', async () => {
    const long = 'x'.repeat(70);
    // Active only for the hub below (it reads activate from plan); the other hubs see them inactive.
    await s.db.insert(s.table, [
      { id: 'Acme Corp', active: '0', plan: '1', region: 'no' },
      { id: long, active: '0', plan: '1', region: 'no' },
    ]);
    await s.create(
      hub({
        name: 'names',
        namespace: s.namespace,
        source: mysqlSource(s.table),
        activate: 'plan',
      }),
    );
    await s.create(
      form({
        name: 'n',
        namespace: s.namespace,
        hubId: 'names',
        configMaps: [
          {
            id: 'c',
            nameTemplate: '{{ .uid | lower | replace " " "-" | trunc 40 }}-c',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { uid: '{{ .uid }}' } },
          },
        ],
      }),
    );
    const nodes = await s.waitFor(
      async (note) => {
        const list = await s.kube.nodesOf('names', s.namespace);
        note(list.map((n) => n.metadata.name));
        return list.length === 2 ? list : undefined;
      },
      { what: 'two nodes of hub names', timeoutMs: 30_000 },
    );
    const acme = nodes.find((n) => n.spec?.uid === 'Acme Corp');
    expect(acme?.metadata.name).toMatch(/^acme-corp-n-[0-9a-f]{10}$/);
    const acmeLabel = acme?.metadata.labels?.['lynq.sh/uid'] ?? '';
    expect(acmeLabel).not.toBe('Acme Corp');
    expect(acmeLabel).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
    // Valid as a name, so Lynq's name is kept; too long for a label, so the label is hashed.
    const longNode = nodes.find((n) => n.spec?.uid === long);
    expect(longNode?.metadata.name).toBe(`${long}-n`);
    expect((longNode?.metadata.labels?.['lynq.sh/uid'] ?? '').length).toBeLessThanOrEqual(63);
    for (const n of nodes) await s.nodeReady(n.metadata.name ?? '');
    const cm = await s.kube.mustGet<{ data?: Record<string, string> }>(
      Res.ConfigMap,
      'acme-corp-c',
      s.namespace,
    );
    expect(cm.data).toEqual({ uid: 'Acme Corp' });
  });
});
