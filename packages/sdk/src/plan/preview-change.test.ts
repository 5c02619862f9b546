import type { LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { form, hub } from '../builders/index.js';
import { previewChange } from './index.js';

const tenants = hub({
  name: 'tenants',
  namespace: 'apps',
  spec: {
    source: {
      type: 'mysql',
      mysql: { host: 'db', username: 'lynq', database: 'app', table: 'tenants' },
    },
    valueMappings: { uid: 'id', activate: 'active' },
    extraValueMappings: { plan: 'plan' },
  },
});

const web = form({
  name: 'web',
  namespace: 'apps',
  spec: {
    hubId: 'tenants',
    configMaps: [
      {
        id: 'config',
        nameTemplate: '{{ .uid }}-config',
        spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { plan: '{{ .plan }}' } },
      },
    ],
  },
});

describe('previewChange', () => {
  it('creates a node per active row when there are none', () => {
    const preview = previewChange({
      hub: tenants,
      forms: [web],
      rows: [
        { id: 'acme', active: '1', plan: 'gold' },
        { id: 'globex', active: '1', plan: 'silver' },
      ],
    });
    expect(preview.nodes.map((n) => [n.name, n.action])).toEqual([
      ['acme-web', 'create'],
      ['globex-web', 'create'],
    ]);
    expect(preview.nodes[0]!.objects.map((o) => [o.id, o.action])).toEqual([['config', 'create']]);
  });

  it('shows updates field by field and deletions with their reason', () => {
    const before = previewChange({
      hub: tenants,
      forms: [web],
      rows: [
        { id: 'acme', active: '1', plan: 'gold' },
        { id: 'globex', active: '1', plan: 'silver' },
      ],
    });
    const existing = before.nodes.map(
      (n) => ({ ...n.node, metadata: { ...n.node!.metadata, uid: `uid-${n.name}` } }) as LynqNode,
    );
    const after = previewChange({
      hub: tenants,
      forms: [web],
      rows: [{ id: 'acme', active: '1', plan: 'platinum' }],
      existing,
    });
    const acme = after.nodes.find((n) => n.name === 'acme-web');
    expect(acme?.action).toBe('update');
    expect(acme?.objects[0]?.changes).toEqual([
      { op: 'change', path: 'data.plan', before: 'gold', after: 'platinum' },
    ]);
    const globex = after.nodes.find((n) => n.name === 'globex-web');
    expect(globex?.action).toBe('delete');
    expect(globex?.reasons.length).toBe(1);
  });

  it('names each invalid field of the hub', () => {
    expect(() =>
      previewChange({
        hub: { ...tenants, spec: { ...tenants.spec, valueMappings: { uid: '', activate: 'a' } } },
        forms: [web],
        rows: [],
      }),
    ).toThrow(/spec\.valueMappings\.uid/);
  });
});
