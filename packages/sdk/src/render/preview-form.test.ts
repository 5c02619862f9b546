import { LynqValidationError } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { form, hub } from '../builders/index.js';
import { previewForm } from './index.js';

const tenants = hub({
  name: 'tenants',
  namespace: 'apps',
  spec: {
    source: {
      type: 'mysql',
      mysql: { host: 'db', username: 'lynq', database: 'app', table: 'tenants' },
    },
    valueMappings: { uid: 'id', activate: 'active' },
    extraValueMappings: { plan: 'plan_name' },
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
        spec: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          data: {
            plan: '{{ if eq .plan "" }}{{ fail "the row has no plan" }}{{ end }}{{ .plan }}',
          },
        },
      },
    ],
  },
});

describe('previewForm', () => {
  it('renders each active row’s objects through the hub’s mappings', () => {
    const preview = previewForm(
      web,
      [
        { id: 'acme', active: 1, plan_name: 'gold' },
        { id: 'globex', active: 0, plan_name: 'silver' },
        { id: 'initech', active: 'true', plan_name: 'bronze' },
      ],
      { hub: tenants },
    );
    expect(preview.errors).toEqual([]);
    expect(preview.inactive).toEqual([{ row: 2, uid: 'globex' }]);
    expect(preview.nodes.map((n) => [n.node, n.uid, n.row])).toEqual([
      ['acme-web', 'acme', 1],
      ['initech-web', 'initech', 3],
    ]);
    expect(preview.nodes[0]!.manifests).toEqual([
      expect.objectContaining({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: expect.objectContaining({ name: 'acme-config', namespace: 'apps' }),
        data: { plan: 'gold' },
      }),
    ]);
  });

  it('names the row, node and resource of every problem', () => {
    const preview = previewForm(
      web,
      [
        { id: 'acme', active: 1, plan_name: '' },
        { id: '', active: 1, plan_name: 'gold' },
        { id: 'dup', active: 1, plan_name: 'gold' },
        { id: 'dup', active: 1, plan_name: 'gold' },
      ],
      { hub: tenants },
    );
    expect(preview.nodes.map((n) => n.node)).toEqual(['acme-web']);
    expect(preview.nodes[0]!.manifests).toEqual([]);
    expect(preview.errors).toEqual([
      { row: 2, uid: '', message: expect.stringContaining('empty or NULL uid') },
      { row: 3, uid: 'dup', message: expect.stringContaining('dup') },
      { row: 4, uid: 'dup', message: expect.stringContaining('dup') },
      {
        row: 1,
        uid: 'acme',
        node: 'acme-web',
        resourceId: 'config',
        message: expect.stringContaining('the row has no plan'),
      },
    ]);
  });

  it('reads columns as variables of the same name without a hub', () => {
    const preview = previewForm(web, [
      { uid: 'acme', plan: 'gold' },
      { uid: 'off', activate: 'false' },
    ]);
    expect(preview.inactive).toEqual([{ row: 2, uid: 'off' }]);
    expect(preview.nodes.map((n) => n.manifests[0]?.['data'])).toEqual([{ plan: 'gold' }]);
  });

  it('refuses a form of another hub, and an invalid form, with field paths', () => {
    const other = { ...web, spec: { ...web.spec, hubId: 'customers' } };
    expect(() => previewForm(other, [], { hub: tenants })).toThrow(
      /spec.hubId: is "customers", but the hub given is "tenants"/,
    );
    const broken = { ...web, spec: { ...web.spec, configMaps: [{ id: 'x' }] } };
    expect(() => previewForm(broken as never, [])).toThrow(LynqValidationError);
  });
});
