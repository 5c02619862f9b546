import { assertParsed, parseForm, parseHub } from '@lynq/api';
import { renderForm } from '@lynq/render';
import { expect, it } from 'vitest';
import {
  computeNodeStatus,
  desiredNodes,
  equalStatus,
  planHub,
  planNode,
  renderDesiredNodes,
  type ScopeOf,
} from './index.js';

it('runs the README example', () => {
  const hub = assertParsed(
    parseHub({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqHub',
      metadata: { name: 'tenants', namespace: 'apps', uid: '0b7c…', generation: 1 },
      spec: {
        source: {
          type: 'mysql',
          mysql: { host: 'db', username: 'lynq', database: 'app', table: 't' },
        },
        valueMappings: { uid: 'id', activate: 'active' },
        extraValueMappings: { plan: 'plan' },
      },
    }),
  );
  const form = assertParsed(
    parseForm({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'apps', generation: 1 },
      spec: {
        hubId: 'tenants',
        configMaps: [
          {
            id: 'config',
            nameTemplate: '{{ .uid }}-config',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { plan: '{{ .plan }}' } },
          },
        ],
        deployments: [
          {
            id: 'app',
            nameTemplate: '{{ .uid }}-app',
            dependIds: ['config'],
            spec: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } },
          },
        ],
      },
    }),
  );

  const fetch = {
    ok: true as const,
    rows: [
      { uid: 'acme', activate: '1', active: true, extras: { plan: 'pro' } },
      { uid: 'Beta Corp', activate: '1', active: true, extras: { plan: 'free' } },
      { uid: 'gone', activate: '0', active: false, extras: { plan: 'free' } },
    ],
    problems: [],
  };

  const desired = desiredNodes(hub, [form], fetch);
  const rendered = renderDesiredNodes(desired);
  const now = new Date('2026-07-01T12:00:00Z');
  const hubPlan = planHub({ hub, forms: [form], fetch, rendered, existing: [], now });
  const names = hubPlan.create.map((n) => n.metadata.name);
  expect(names[0]).toBe('acme-web');
  expect(names[1]).toMatch(/^beta-corp-web-[0-9a-f]{10}$/);
  expect(hubPlan.status.desired).toBe(2);

  const node = hubPlan.create[0]!;
  const nodePlan = planNode(node, form);
  if (!nodePlan.ok) throw nodePlan.error;
  const scopeOf: ScopeOf = (_apiVersion, kind) =>
    ['ConfigMap', 'Deployment'].includes(kind) ? 'Namespaced' : undefined;
  const objects = nodePlan.objects(
    renderForm(nodePlan.source, nodePlan.variables, { namespace: nodePlan.namespace }),
    scopeOf,
  );
  expect(objects.levels.map((level) => level.map((o) => o.id))).toEqual([['config'], ['app']]);
  expect(objects.levels[0]![0]!.manifest!.data).toEqual({ plan: 'pro' });

  const { status } = computeNodeStatus({
    node,
    results: [
      { id: 'config', outcome: 'ready' },
      { id: 'app', outcome: 'ready' },
    ],
    applied: objects.tracked,
    now,
  });
  expect(equalStatus(node.status, status)).toBe(false);
  expect(status.readyResources).toBe(2);
});
