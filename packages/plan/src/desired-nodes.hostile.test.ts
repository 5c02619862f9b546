// Uids a source table can hold that collide once made into Kubernetes names: case, spaces,
// punctuation, Unicode normalisation, length, and uid/form splits of the same text. Every row
// gets its own node name and uid label (no silent merge, no overwrite), and a uid seen twice gets
// no node at all: it is reported, and its existing nodes are kept as they are.
import type { LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { isDns1123Subdomain, isLabelValue } from './node-name.js';
import { form, hub, plan, row, stored } from './testdata/fixtures.js';

const UIDS = [
  'acme',
  'Acme',
  'ACME',
  'acme ',
  ' acme',
  'acme\t',
  'caf\u00e9',
  'cafe\u0301',
  'a.b',
  'a-b',
  'a_b',
  'a b',
  'a/b',
  'a..b',
  '-acme-',
  'x'.repeat(300),
  `${'x'.repeat(300)}y`,
  '😀',
  '😁',
  '',
];

function created(uids: readonly string[], forms = [form('web')]): LynqNode[] {
  const p = plan({
    hub: hub(),
    forms,
    fetch: { ok: true, rows: uids.filter((u) => u !== '').map((u) => row(u)), problems: [] },
    existing: [],
  });
  return p.create.map((n) => stored(n));
}

describe('uids that collide after sanitising', () => {
  it('each gets a distinct, valid node name and uid label', () => {
    const nodes = created(UIDS);
    expect(nodes).toHaveLength(UIDS.length - 1);
    const names = nodes.map((n) => n.metadata.name ?? '');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(isDns1123Subdomain(name), name).toBe(true);
    const labels = nodes.map((n) => n.metadata.labels?.['lynq.sh/uid'] ?? '');
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(isLabelValue(l), l).toBe(true);
    // Lynq's name where it is valid, so nodes of the Go operator keep theirs.
    expect(names).toContain('acme-web');
    expect(names).toContain('a.b-web');
  });

  it('uid and form names that join to the same text get different names', () => {
    // `a-b` + form `c` and `a` + form `b-c` both read `a-b-c`.
    const nodes = created(['a-b', 'a'], [form('c'), form('b-c')]);
    const names = nodes.map((n) => n.metadata.name ?? '');
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    expect(names).not.toContain('a-b-c');
  });

  it('a uid seen twice creates no node and protects existing ones', () => {
    const before = created(['dup', 'ok']);
    const p = plan({
      hub: hub(),
      forms: [form('web')],
      fetch: { ok: true, rows: [row('ok'), row('dup'), row('dup')], problems: [] },
      existing: before,
    });
    expect(p.create).toEqual([]);
    expect(p.delete).toEqual([]);
  });
});
