import { assertParsed, parseForm, parseHub, type LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { previewHub } from './preview-hub.js';

const hub = assertParsed(
  parseHub({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name: 'tenants', namespace: 'apps', uid: 'hub-uid', generation: 1 },
    spec: {
      source: { type: 'mysql', mysql: { host: 'db', username: 'u', database: 'd', table: 't' } },
      valueMappings: { uid: 'id', activate: 'active' },
      extraValueMappings: { plan: 'plan' },
      deletionGuard: { maxDeletePercent: 100, minDeletions: 0 },
    },
  }),
);
const form = (
  generation: number,
  data: Record<string, string>,
  extra: Record<string, unknown> = {},
) =>
  assertParsed(
    parseForm({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'apps', generation },
      spec: {
        hubId: 'tenants',
        ...extra,
        configMaps: [
          {
            id: 'cfg',
            nameTemplate: '{{ .uid }}-cfg',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data },
          },
        ],
      },
    }),
  );
const row = (uid: string, active = true) => ({
  uid,
  activate: active ? '1' : '0',
  active,
  extras: { plan: 'pro' },
});
const now = new Date('2026-12-01T00:00:00Z');

function existing(): LynqNode[] {
  const first = previewHub({
    hub,
    forms: [form(1, { plan: '{{ .plan }}' })],
    fetch: { ok: true, rows: [row('a'), row('b')], problems: [] },
    existing: [],
    now,
  });
  return first.plan.create.map(
    (n, i) => ({ ...n, metadata: { ...n.metadata, uid: `n${i}` } }) as LynqNode,
  );
}

describe('previewHub', () => {
  it('creates nodes with their objects when none exist', () => {
    const p = previewHub({
      hub,
      forms: [form(1, { plan: '{{ .plan }}' })],
      fetch: { ok: true, rows: [row('a')], problems: [] },
      existing: [],
      now,
    });
    expect(p.nodes.map((n) => [n.name, n.action])).toEqual([['a-web', 'create']]);
    expect(p.nodes[0]!.objects).toMatchObject([
      { id: 'cfg', action: 'create', key: { kind: 'ConfigMap', namespace: 'apps', name: 'a-cfg' } },
    ]);
  });

  it('shows a form change field by field, a deactivated row as a deletion with its objects', () => {
    const p = previewHub({
      hub,
      forms: [form(2, { plan: '{{ .plan }}', tier: 'gold' })],
      fetch: { ok: true, rows: [row('a'), row('b', false)], problems: [] },
      existing: existing(),
      now,
    });
    expect(p.nodes.map((n) => [n.name, n.action, n.reasons])).toEqual([
      ['a-web', 'update', ['template', 'spec']],
      ['b-web', 'delete', ['Deactivated']],
    ]);
    expect(p.nodes[0]!.objects).toMatchObject([
      { id: 'cfg', action: 'change', changes: [{ op: 'add', path: 'data.tier', after: 'gold' }] },
    ]);
    expect(p.nodes[1]!.objects).toMatchObject([
      { id: 'cfg', action: 'remove', deletionPolicy: 'Delete' },
    ]);
    expect(p.unchanged).toEqual([]);
  });

  it('marks changes maxSkew leaves for later, and deletions the guard holds', () => {
    const guarded = {
      ...hub,
      spec: { ...hub.spec, deletionGuard: { maxDeletePercent: 10, minDeletions: 0 } },
    };
    const p = previewHub({
      hub: guarded,
      forms: [form(2, { plan: 'x' }, { rollout: { maxSkew: 1 } })],
      fetch: { ok: true, rows: [row('a'), row('c')], problems: [] },
      existing: existing(),
      now,
    });
    const by = Object.fromEntries(p.nodes.map((n) => [n.name, n]));
    expect(by['b-web']).toMatchObject({ action: 'delete', reasons: ['RowDeleted'] });
    expect(by['b-web']!.heldBy).toMatch(/^deletions held: /);
    expect([by['a-web']!.throttled, by['c-web']!.throttled].filter(Boolean)).toHaveLength(1);
  });

  it('leaves nodes without a change out, by name', () => {
    const p = previewHub({
      hub,
      forms: [form(1, { plan: '{{ .plan }}' })],
      fetch: { ok: true, rows: [row('a'), row('b')], problems: [] },
      existing: existing(),
      now,
    });
    expect(p.nodes).toEqual([]);
    expect(p.unchanged).toEqual(['a-web', 'b-web']);
  });
});
