import { describe, expect, it } from 'vitest';
import { Annotations, assertParsed, parseForm } from '@lynq/api';
import { appliedHash } from '@lynq/apply';
import { renderForm } from '@lynq/render';
import { formObject, rawObjects, rows } from './workload.js';

describe('workload', () => {
  const [row] = rows(3, 'row');

  it.each([2, 3, 4, 5])(
    'raw objects (%i resources) are what the form renders for the row',
    (resources) => {
      if (row === undefined) throw new Error('no row');
      const form = assertParsed(
        parseForm(formObject({ name: 'web', namespace: 'ns', hubId: 'hub', resources })),
      );
      const rendered = renderForm(form, { uid: row.uid, plan: row.plan }, { namespace: 'ns' });
      expect(rendered.errors).toEqual([]);
      const raw = rawObjects(row, 'ns', resources);
      const key = (o: { kind?: string; metadata?: { name?: string } }) =>
        `${o.kind ?? ''}/${o.metadata?.name ?? ''}`;
      expect(raw.map(key).sort()).toEqual(
        rendered.resources.map((r) => `${r.kind}/${r.name}`).sort(),
      );
      for (const r of rendered.resources) {
        const obj = raw.find((o) => key(o) === `${r.kind}/${r.name}`);
        const { annotations, ...metadata } = obj?.metadata ?? {};
        expect({ ...obj, metadata }, r.id).toEqual(r.manifest);
        expect(annotations?.[Annotations.AppliedHash]).toBe(
          appliedHash({ ...obj, metadata } as Parameters<typeof appliedHash>[0]),
        );
        expect(annotations?.[Annotations.DeletionPolicy]).toBe('Delete');
      }
    },
  );

  it('makes DNS-safe uids in insertion order and puts the plan column in the ConfigMap', () => {
    const many = rows(12_345, 'row');
    expect(many[0]?.uid).toBe('row-00000');
    expect(many.at(-1)?.uid).toBe('row-12344');
    expect(many.every((r) => /^[a-z0-9-]+$/.test(r.uid))).toBe(true);
    const cm = rawObjects({ uid: 'row-1', plan: 'gold' }, 'ns', 2)[1];
    expect(cm?.['data']).toEqual({ tenant: 'row-1', plan: 'gold' });
  });
});
