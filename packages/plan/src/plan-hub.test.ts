import type { LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { desiredNodes } from './desired-nodes.js';
import type { DesiredNode } from './desired-node.js';
import { planHub } from './plan-hub.js';
import { renderDesiredNodes } from './render-desired.js';
import { LATER, NOW, form, hub, plan, row, stored } from './testdata/fixtures.js';

const ok = (rows: ReturnType<typeof row>[], problems: { uid?: string; code: string }[] = []) =>
  ({ ok: true, rows, problems }) as const;

/** The nodes of a plan's creations, as the API server stores them. */
function created(nodes: readonly DesiredNode[], ready?: boolean): LynqNode[] {
  return nodes.map((n) => stored(n, ready === undefined ? {} : { ready }));
}

describe('planHub: creation', () => {
  const h = hub();
  const forms = [form('web')];

  it('creates one LynqNode per form × active row, as Lynq writes it', () => {
    const p = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '2' }), row('beta')]),
      existing: [],
    });
    expect(p.create.map((n) => n.metadata.name)).toEqual(['acme-web', 'beta-web']);
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.desired).toBe(2);
    const node = p.create[0]!;
    expect(node.apiVersion).toBe('operator.lynq.sh/v1');
    expect(node.kind).toBe('LynqNode');
    expect(node.metadata).toEqual({
      name: 'acme-web',
      namespace: 'apps',
      labels: { 'lynq.sh/hub': 'tenants', 'lynq.sh/uid': 'acme' },
      annotations: {
        'lynq.sh/activate': '1',
        'lynq.sh/extra': '{"plan":"2"}',
        'lynq.sh/template-generation': '1',
        'lynq.sh/hubId': 'tenants',
        'lynq.sh/rollout-update-start': '2026-07-01T12:00:00Z',
      },
      ownerReferences: [
        {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqHub',
          name: 'tenants',
          uid: 'hub-uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(node.spec.uid).toBe('acme');
    expect(node.spec.templateRef).toBe('web');
    expect(node.spec.templateSyntax).toBeUndefined();
    const app = node.spec.deployments![0]!;
    // Hub-level fields rendered; the body and targetNamespace copied as written.
    expect(app.nameTemplate).toBe('acme-app');
    expect(app.labelsTemplate).toEqual({ plan: '2', tier: 'web' });
    expect(app.annotationsTemplate).toEqual({ 'lynq.sh/row': 'acme' });
    expect(app.targetNamespace).toBe('{{ .uid }}-ns');
    expect(app.spec).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { replicas: '{{ .plan | int }}' },
    });
    expect(app.creationPolicy).toBe('WhenNeeded');
    expect(node.spec.configMaps![0]!.nameTemplate).toBe('acme-config');
    // Not a LynqForm field list the form lacks.
    expect(node.spec).not.toHaveProperty('services');
  });

  it('writes lynq.sh/hostOrUrl only when the hub maps it', () => {
    const mapped = hub({ valueMappings: { uid: 'id', activate: 'active', hostOrUrl: 'url' } });
    const r = { ...row('acme'), hostOrUrl: 'https://acme.example.com' };
    const p = plan({ hub: mapped, forms, fetch: ok([r]), existing: [] });
    expect(p.create[0]!.metadata.annotations['lynq.sh/hostOrUrl']).toBe('https://acme.example.com');
    const q = plan({ hub: h, forms, fetch: ok([row('acme')]), existing: [] });
    expect(q.create[0]!.metadata.annotations).not.toHaveProperty('lynq.sh/hostOrUrl');
  });

  it('skips inactive rows and forms of other hubs or namespaces', () => {
    const other = form('other', { hubId: 'someone-else' });
    const elsewhere = form('elsewhere', {}, { namespace: 'other-ns' });
    const p = plan({
      hub: h,
      forms: [...forms, other, elsewhere],
      fetch: ok([row('acme'), row('off', {}, '0')]),
      existing: [],
    });
    expect(p.create.map((n) => n.metadata.name)).toEqual(['acme-web']);
    expect(p.status.referencingTemplates).toBe(1);
  });

  it('sanitises names Lynq could not create, and labels over 63 characters', () => {
    const p = plan({
      hub: h,
      forms,
      fetch: ok([row('Acme Corp'), row('x'.repeat(70))]),
      existing: [],
    });
    const names = p.create.map((n) => n.metadata.name);
    expect(names[0]).toMatch(/^acme-corp-web-[0-9a-f]{10}$/);
    expect(p.create[0]!.metadata.labels['lynq.sh/uid']).toMatch(/^Acme-Corp-[0-9a-f]{10}$/);
    expect(p.create[1]!.metadata.name).toBe(`${'x'.repeat(70)}-web`);
    expect(p.create[1]!.metadata.labels['lynq.sh/uid']).toMatch(/^x{52}-[0-9a-f]{10}$/);
    // The spec keeps the row's real uid.
    expect(p.create[0]!.spec.uid).toBe('Acme Corp');
  });

  it('gives two rows whose Lynq names collide different names', () => {
    const forms2 = [form('c'), form('b-c')];
    const p = plan({ hub: h, forms: forms2, fetch: ok([row('a-b'), row('a')]), existing: [] });
    const names = p.create.map((n) => n.metadata.name);
    expect(new Set(names).size).toBe(4);
    const clashing = p.create.filter((n) => `${n.spec.uid}-${n.spec.templateRef}` === 'a-b-c');
    expect(clashing).toHaveLength(2);
    for (const n of clashing) expect(n.metadata.name).toMatch(/^a-b-c-[0-9a-f]{10}$/);
  });

  it('does not take a name another node of the hub holds', () => {
    const first = plan({ hub: h, forms: [form('b-c')], fetch: ok([row('a')]), existing: [] });
    const existing = created(first.create); // a-b-c, form b-c, uid a
    const p = plan({
      hub: h,
      forms: [form('b-c'), form('c')],
      fetch: ok([row('a'), row('a-b')]),
      existing,
    });
    // (b-c, a) clashes with (c, a-b) → both desired names are hashed; the existing node is matched
    // by form and uid and keeps its name.
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.create.map((n) => `${n.spec.templateRef}/${n.spec.uid}`).sort()).toEqual([
      'b-c/a-b',
      'c/a',
      'c/a-b',
    ]);
    expect(p.create.every((n) => n.metadata.name !== 'a-b-c')).toBe(true);
  });

  it('waits for a node of the same form and row that is still terminating', () => {
    const first = plan({ hub: h, forms, fetch: ok([row('acme')]), existing: [] });
    const terminating = created(first.create).map((n) => ({
      ...n,
      metadata: { ...n.metadata, deletionTimestamp: '2026-07-01T11:59:00Z' },
    }));
    const p = plan({ hub: h, forms, fetch: ok([row('acme')]), existing: terminating });
    expect(p.create).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
  });
});

describe('planHub: updates', () => {
  const h = hub();
  const forms = [form('web')];
  const first = plan({ hub: h, forms, fetch: ok([row('acme', { plan: '1' })]), existing: [] });
  const existing = created(first.create, true);

  it('changes nothing when nothing changed (rollout-update-start included)', () => {
    const p = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '1' })]),
      existing,
      now: LATER,
    });
    expect(p.create).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.events).toEqual([]);
  });

  it('changes nothing for a node the Go operator wrote for the same row', () => {
    // Go: hostOrUrl "" when unmapped, extras without the keys sorted the same way, every list of
    // the spec present, CRD defaults, no templateSyntax.
    const go = structuredClone(existing[0]!) as LynqNode;
    go.metadata.annotations!['lynq.sh/hostOrUrl'] = '';
    go.metadata.annotations!['lynq.sh/extra'] = '{ "plan" : "1" }';
    go.spec = { ...go.spec!, services: [], namespaces: [] };
    const p = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '1' })]),
      existing: [go],
      now: LATER,
    });
    expect(p.update).toEqual([]);
  });

  it('updates for a new form generation, with TemplateApplied on the node', () => {
    const v2 = form('web', {}, { generation: 2 });
    const p = plan({
      hub: h,
      forms: [v2],
      fetch: ok([row('acme', { plan: '1' })]),
      existing,
      now: LATER,
    });
    expect(p.update).toHaveLength(1);
    const u = p.update[0]!;
    expect(u.reasons).toEqual(['template']);
    expect(u.node.metadata.annotations['lynq.sh/template-generation']).toBe('2');
    expect(u.node.metadata.annotations['lynq.sh/rollout-update-start']).toBe(
      '2026-07-01T12:05:00Z',
    );
    expect(u.events).toEqual([
      expect.objectContaining({
        type: 'Normal',
        reason: 'TemplateApplied',
        message:
          "Applying LynqForm 'web' changes (generation: 1 -> 2). Total 2 resources will be reconciled: [1 Deployment(s) 1 ConfigMap(s)]. Hub: tenants, UID: acme",
        regarding: {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqNode',
          namespace: 'apps',
          name: 'acme-web',
          uid: 'uid-acme-web',
        },
      }),
    ]);
  });

  it('updates for activate (DataUpdated), extras (no event) and a changed spec', () => {
    const data = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '1' }, 'true')]),
      existing,
      now: LATER,
    });
    expect(data.update[0]!.reasons).toEqual(['data']);
    expect(data.update[0]!.events.map((e) => e.reason)).toEqual(['DataUpdated']);

    const extras = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '3' })]),
      existing,
      now: LATER,
    });
    // plan is used in a label template, so the spec changes too.
    expect(extras.update[0]!.reasons).toEqual(['extras', 'spec']);
    expect(extras.update[0]!.events).toEqual([]);

    const edited = structuredClone(existing[0]!) as LynqNode;
    edited.spec!.configMaps![0]!.nameTemplate = 'hand-edited';
    const spec = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '1' })]),
      existing: [edited],
      now: LATER,
    });
    expect(spec.update[0]!.reasons).toEqual(['spec']);
    expect(spec.update[0]!.node.spec.configMaps![0]!.nameTemplate).toBe('acme-config');
  });

  it('writes the existing node back with the hub’s fields, keeping the rest', () => {
    const mine = structuredClone(existing[0]!) as LynqNode;
    mine.metadata.annotations!['team'] = 'blue';
    mine.metadata.annotations!['lynq.sh/hostOrUrl'] = '';
    mine.metadata.labels!['env'] = 'prod';
    mine.metadata.finalizers = ['lynqnode.operator.lynq.sh/finalizer'];
    (mine.metadata as Record<string, unknown>).managedFields = [{ manager: 'x' }];
    const p = plan({
      hub: h,
      forms,
      fetch: ok([row('acme', { plan: '1' }, 'yes')]),
      existing: [mine],
      now: LATER,
    });
    const node = p.update[0]!.node;
    expect(node.metadata.resourceVersion).toBe('100');
    expect(node.metadata.uid).toBe('uid-acme-web');
    expect(node.metadata.finalizers).toEqual(['lynqnode.operator.lynq.sh/finalizer']);
    expect(node.metadata.annotations['team']).toBe('blue');
    expect(node.metadata.annotations).not.toHaveProperty('lynq.sh/hostOrUrl');
    expect(node.metadata.annotations['lynq.sh/activate']).toBe('yes');
    expect(node.metadata.labels).toEqual({
      'lynq.sh/hub': 'tenants',
      'lynq.sh/uid': 'acme',
      env: 'prod',
    });
    expect(node.metadata).not.toHaveProperty('managedFields');
    expect(node).not.toHaveProperty('status');
  });
});

describe('planHub: deletion', () => {
  const h = hub();
  const web = form('web');
  const api = form('api');
  const rows = [row('a'), row('b'), row('c')];
  const existing = created(
    plan({ hub: h, forms: [web, api], fetch: ok(rows), existing: [] }).create,
  );

  it('deletes nodes whose row is gone, inactive, or whose form is gone, with reasons', () => {
    const p = plan({
      hub: h,
      forms: [web],
      fetch: ok([row('a'), row('b', {}, '0')]),
      existing,
    });
    expect(p.delete.map((d) => [d.name, d.reason])).toEqual([
      ['a-api', 'FormGone'],
      ['b-api', 'FormGone'],
      ['b-web', 'Deactivated'],
      ['c-api', 'FormGone'],
      ['c-web', 'RowDeleted'],
    ]);
    expect(p.delete[0]).toEqual({
      name: 'a-api',
      namespace: 'apps',
      uid: 'uid-a-api',
      form: 'api',
      rowUid: 'a',
      reason: 'FormGone',
    });
    expect(p.events.filter((e) => e.reason === 'NodeDeleting')).toHaveLength(5);
    expect(p.held).toEqual([]);
  });

  it('holds a large deletion behind the guard until it is approved', () => {
    const many = Array.from({ length: 30 }, (_, i) => row(`t${i}`));
    const nodes = created(plan({ hub: h, forms: [web], fetch: ok(many), existing: [] }).create);
    const emptied = plan({ hub: h, forms: [web], fetch: ok([]), existing: nodes });
    expect(emptied.delete).toEqual([]);
    expect(emptied.held).toHaveLength(30);
    expect(emptied.held[0]!.reason).toMatch(/^deletions held: this sync would delete 30 of 30/);
    expect(emptied.events.map((e) => [e.type, e.reason])).toEqual([
      ['Warning', 'DeletionGuardHeld'],
    ]);
    const degraded = emptied.status.conditions!.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'DeletionGuardHeld' });

    const approved = hub({}, { annotations: { 'lynq.sh/approve-deletions': '1' } });
    const go = plan({ hub: approved, forms: [web], fetch: ok([]), existing: nodes });
    expect(go.delete).toHaveLength(30);
    expect(go.held).toEqual([]);
    expect(go.status.conditions!.some((c) => c.type === 'Degraded')).toBe(false);
  });

  it('holds every deletion when the datasource returns no rows at all, however few nodes', () => {
    const nodes = created(
      plan({ hub: h, forms: [web], fetch: ok([row('a'), row('b')]), existing: [] }).create,
    );
    const emptied = plan({ hub: h, forms: [web], fetch: ok([]), existing: nodes });
    expect(emptied.delete).toEqual([]);
    expect(emptied.held.map((x) => x.name)).toEqual(['a-web', 'b-web']);
    expect(emptied.held[0]!.reason).toMatch(/the datasource returned no rows at all/);
    // Rows that are there but inactive are a decision, not an empty source: within the guard.
    const off = plan({
      hub: h,
      forms: [web],
      fetch: ok([row('a', undefined, '0'), row('b', undefined, '0')]),
      existing: nodes,
    });
    expect(off.delete.map((d) => d.name)).toEqual(['a-web', 'b-web']);
  });

  it('never deletes after a failed fetch', () => {
    const p = plan({
      hub: h,
      forms: [web],
      fetch: { ok: false, error: { code: 'TIMEOUT', message: 'query timed out after 30s' } },
      existing,
    });
    expect(p).toMatchObject({ create: [], update: [], delete: [], held: [], desired: 0 });
    expect(p.events).toEqual([
      {
        type: 'Warning',
        reason: 'DatabaseQueryFailed',
        message: 'Failed to query database: query timed out after 30s',
        regarding: {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqHub',
          namespace: 'apps',
          name: 'tenants',
          uid: 'hub-uid-1',
        },
      },
    ]);
    expect(p.status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'DatabaseConnectionFailed',
      message: 'Failed to connect to database or query node data: query timed out after 30s',
    });
  });

  it('keeps the nodes of duplicated uids as they are', () => {
    const p = plan({
      hub: h,
      forms: [web, api],
      fetch: ok([row('a'), row('c', { plan: '9' })], [{ uid: 'b', code: 'DUPLICATE_UID' }]),
      existing,
    });
    expect(p.delete).toEqual([]);
    expect(p.update.map((u) => u.node.metadata.name)).toEqual(['c-api', 'c-web']);
    expect(p.status.conditions!.find((c) => c.type === 'Ready')!.message).toBe(
      'Successfully connected to database and queried node data; 1 row left out (DUPLICATE_UID 1); their nodes are kept as they are',
    );
  });

  it('holds every deletion when a row could not be identified', () => {
    const p = plan({
      hub: h,
      forms: [web],
      fetch: ok([row('a')], [{ code: 'EMPTY_UID' }]),
      existing,
    });
    expect(p.delete).toEqual([]);
    expect(p.held.map((x) => x.name)).toEqual(['a-api', 'b-api', 'b-web', 'c-api', 'c-web']);
    expect(p.held[0]!.reason).toMatch(/rows without a usable uid/);
  });

  it('deletes a second node for the same form and row', () => {
    const copy = stored({
      ...existing[0]!,
      metadata: { ...existing[0]!.metadata, name: 'a-api-copy' },
    });
    const p = plan({ hub: h, forms: [web, api], fetch: ok(rows), existing: [...existing, copy] });
    expect(p.delete.map((d) => [d.name, d.reason])).toEqual([['a-api-copy', 'Duplicate']]);
  });

  it('leaves nodes without a spec alone', () => {
    const bare = stored({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: { name: 'bare', namespace: 'apps', labels: { 'lynq.sh/hub': 'tenants' } },
    });
    const p = plan({ hub: h, forms: [web, api], fetch: ok(rows), existing: [...existing, bare] });
    expect(p.delete).toEqual([]);
  });
});

describe('planHub: render errors', () => {
  it('leaves the node alone and reports the resource and field once per form', () => {
    const h = hub();
    const bad = form('web', {
      configMaps: [
        {
          id: 'config',
          nameTemplate: '{{ .uid }}-config',
          labelsTemplate: { size: '{{ required "size is required" (index . "size") }}' },
          spec: { apiVersion: 'v1', kind: 'ConfigMap' },
        },
      ],
    });
    const good = form('web');
    const existing = created(
      plan({ hub: h, forms: [good], fetch: ok([row('a')]), existing: [] }).create,
    );
    const p = plan({
      hub: h,
      forms: [form('web', bad.spec, { generation: 2 })],
      fetch: ok([row('a'), row('b'), row('c')]),
      existing,
    });
    expect(p.create).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(p.renderErrors).toHaveLength(3);
    expect(p.renderErrors[0]).toMatchObject({
      entry: 'web/a',
      node: 'a-web',
      form: 'web',
      uid: 'a',
      resourceId: 'config',
      path: 'spec.configMaps[0].labelsTemplate.size',
    });
    expect(p.events).toHaveLength(1);
    expect(p.events[0]).toMatchObject({ type: 'Warning', reason: 'TemplateRenderFailed' });
    expect(p.events[0]!.message).toMatch(
      /^Failed to render template for 3 nodes of LynqForm 'web' \(uids a, b, c\): resource config: spec\.configMaps\[0\]\.labelsTemplate\.size: .*size is required/,
    );
  });

  it('treats a missing or failed render as an error for that node only', () => {
    const h = hub();
    const forms = [form('web')];
    const fetch = ok([row('a'), row('b'), row('c')]);
    const rendered = renderDesiredNodes(desiredNodes(h, forms, fetch));
    rendered.delete('web/b');
    rendered.set('web/c', { ok: false, error: { message: 'render process timed out' } });
    const p = planHub({ hub: h, forms, fetch, rendered, existing: [], now: NOW });
    expect(p.create.map((n) => n.metadata.name)).toEqual(['a-web']);
    expect(p.renderErrors.map((e) => [e.uid, e.message])).toEqual([
      ['b', 'no hub-level render result for this node'],
      ['c', 'render process timed out'],
    ]);
  });
});

describe('planHub: maxSkew', () => {
  const h = hub();
  const paced = (generation: number) =>
    form('web', { rollout: { maxSkew: 1, progressDeadlineSeconds: 600 } }, { generation });
  const rows = [row('a'), row('b'), row('c')];

  it('creates and updates one node at a time per form', () => {
    const p = plan({ hub: h, forms: [paced(1), form('api')], fetch: ok(rows), existing: [] });
    expect(p.create.map((n) => n.metadata.name)).toEqual(['a-api', 'a-web', 'b-api', 'c-api']);
    expect(p.throttled).toEqual([{ form: 'web', count: 2, maxSkew: 1, updating: 0 }]);
    expect(p.events).toEqual([
      expect.objectContaining({
        type: 'Normal',
        reason: 'RolloutThrottled',
        message: "LynqForm 'web': 2 node updates throttled (maxSkew=1, currently updating=0)",
      }),
    ]);
  });

  it('waits while a node on the new generation is not ready', () => {
    const v1 = created(
      plan({ hub: h, forms: [form('web')], fetch: ok(rows), existing: [] }).create,
      true,
    );
    const v2 = plan({ hub: h, forms: [paced(2)], fetch: ok(rows), existing: v1, now: LATER });
    expect(v2.update.map((u) => u.node.metadata.name)).toEqual(['a-web']);
    // a-web is now on generation 2 and not ready yet: b and c wait.
    const rolling = v1.map((n) =>
      n.metadata.name === 'a-web' ? stored(v2.update[0]!.node, { ready: false }) : n,
    );
    const next = plan({
      hub: h,
      forms: [paced(2)],
      fetch: ok(rows),
      existing: rolling,
      now: LATER,
    });
    expect(next.update).toEqual([]);
    expect(next.throttled).toEqual([{ form: 'web', count: 2, maxSkew: 1, updating: 1 }]);
    // Once it is ready (and its workloads are), the next one goes.
    const settled = v1.map((n) =>
      n.metadata.name === 'a-web' ? stored(v2.update[0]!.node, { ready: true }) : n,
    );
    const after = plan({
      hub: h,
      forms: [paced(2)],
      fetch: ok(rows),
      existing: settled,
      now: new Date(LATER.getTime() + 60_000),
      workloadsReady: { 'a-web': true },
    });
    expect(after.update.map((u) => u.node.metadata.name)).toEqual(['b-web']);
    const blocked = plan({
      hub: h,
      forms: [paced(2)],
      fetch: ok(rows),
      existing: settled,
      now: new Date(LATER.getTime() + 60_000),
      workloadsReady: { 'a-web': false },
    });
    expect(blocked.update).toEqual([]);
  });

  it('never paces deletions', () => {
    const v1 = created(
      plan({ hub: h, forms: [form('web')], fetch: ok(rows), existing: [] }).create,
    );
    // Deactivated rather than emptied: an empty source is held by the deletion guard.
    const off = rows.map((r) => row(r.uid, undefined, '0'));
    const p = plan({ hub: h, forms: [paced(1)], fetch: ok(off), existing: v1 });
    expect(p.delete).toHaveLength(3);
  });
});

describe('planHub: status', () => {
  it('counts desired, ready and failed nodes, keeping transition times', () => {
    const h = hub();
    const forms = [form('web'), form('api')];
    const creates = plan({ hub: h, forms, fetch: ok([row('a'), row('b')]), existing: [] }).create;
    const existing = [
      stored(creates[0]!, { ready: true }),
      stored(creates[1]!, { ready: false }),
      stored(creates[2]!),
      stored(creates[3]!, { ready: true }),
    ];
    const p = plan({ hub: h, forms, fetch: ok([row('a'), row('b'), row('x', {}, '0')]), existing });
    expect(p.status).toEqual({
      observedGeneration: 1,
      referencingTemplates: 2,
      desired: 4,
      ready: 2,
      failed: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'DatabaseConnected',
          message: 'Successfully connected to database and queried node data',
          observedGeneration: 1,
          lastTransitionTime: '2026-07-01T12:00:00Z',
        },
      ],
    });
    const again = plan({
      hub: { ...h, status: p.status },
      forms,
      fetch: ok([row('a'), row('b')]),
      existing,
      now: LATER,
    });
    expect(again.status).toEqual(p.status);
    const failed = plan({
      hub: { ...h, status: p.status },
      forms,
      fetch: { ok: false, error: { message: 'connection refused' } },
      existing,
      now: LATER,
    });
    expect(failed.status.desired).toBe(4);
    expect(failed.status.conditions![0]!.lastTransitionTime).toBe('2026-07-01T12:05:00Z');
  });
});
