import type { LynqNode } from '@lynq/api';
import { renderForm } from '@lynq/render';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { planNode } from './plan-node.js';
import { objectIdentity, type ScopeOf } from './resource-key.js';
import { form, hub, plan, row, stored } from './testdata/fixtures.js';

const scopeOf: ScopeOf = (apiVersion, kind) =>
  apiVersion === 'v1' ? (kind === 'Namespace' ? 'Cluster' : 'Namespaced') : undefined;

const names = fc.constantFrom('a', 'b', 'c', 'd');
const resources = fc.uniqueArray(
  fc.record({ id: fc.constantFrom('r1', 'r2', 'r3', 'r4'), name: names, broken: fc.boolean() }),
  { selector: (r) => r.id, maxLength: 4 },
);
const applied = fc.array(
  fc.record({
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'gone'),
    name: names,
    namespace: fc.constantFrom('apps', 'other'),
  }),
  { maxLength: 6 },
);

it('orphans are exactly the previously applied objects nothing renders, sparing failed resources', () => {
  const base: LynqNode = stored(
    plan({
      hub: hub(),
      forms: [form('web')],
      fetch: { ok: true, rows: [row('acme')], problems: [] },
      existing: [],
    }).create[0]!,
  );
  fc.assert(
    fc.property(resources, applied, (rs, prev) => {
      const node = structuredClone(base);
      node.spec = {
        uid: 'acme',
        templateRef: 'web',
        configMaps: rs.map((r) => ({
          id: r.id,
          nameTemplate: r.broken ? '{{ .missing }}' : r.name,
          spec: { apiVersion: 'v1', kind: 'ConfigMap' },
          skipOnDependencyFailure: true,
          creationPolicy: 'WhenNeeded',
          deletionPolicy: 'Delete',
          conflictPolicy: 'Stuck',
          waitForReady: true,
          timeoutSeconds: 300,
          patchStrategy: 'apply',
        })),
      };
      node.status = {
        appliedResourceRefs: prev.map((p) => ({ apiVersion: 'v1', kind: 'ConfigMap', ...p })),
      };
      const p = planNode(node);
      if (!p.ok) throw p.error;
      const o = p.objects(renderForm(p.source, p.variables, { namespace: p.namespace }), scopeOf);
      const rendered = new Set(o.objects.flatMap((x) => (x.key ? [objectIdentity(x.key)] : [])));
      const failed = new Set(o.objects.filter((x) => !x.key).map((x) => x.id));
      const orphanIds = o.orphans.map(objectIdentity);
      const trackedIds = o.tracked.map(objectIdentity);
      expect(new Set(orphanIds).size).toBe(orphanIds.length);
      for (const id of orphanIds) expect(trackedIds).not.toContain(id);
      for (const id of rendered) expect(trackedIds).toContain(id);
      for (const orphan of o.orphans) {
        expect(rendered.has(objectIdentity(orphan))).toBe(false);
        expect(failed.has(orphan.id)).toBe(false);
      }
      // Every previously applied object is still tracked or an orphan: nothing is forgotten.
      for (const ref of node.status.appliedResourceRefs!) {
        const id = objectIdentity({
          group: '',
          kind: 'ConfigMap',
          namespace: ref.namespace,
          name: ref.name,
        });
        expect(trackedIds.includes(id) || orphanIds.includes(id)).toBe(true);
      }
    }),
  );
});
