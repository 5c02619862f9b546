import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml } from '@lynq/sdk/builders';
import { buildObjects, preview } from './quickstart.js';

describe('quickstart, offline', () => {
  const objects = buildObjects('shop');

  it('builds a hub and a form that read back from YAML unchanged', () => {
    const docs = parseAllDocuments(toYaml([objects.hub, objects.form]));
    expect(Array.isArray(docs) && docs.map((d) => d.toJS() as unknown)).toEqual([
      objects.hub,
      objects.form,
    ]);
  });

  it('previews one ConfigMap per active tenant', () => {
    const result = preview(objects, [
      { id: 'acme', active: 1, plan: 'gold' },
      { id: 'globex', active: 0, plan: 'silver' },
    ]);
    expect(result.errors).toEqual([]);
    expect(result.inactive).toEqual([{ row: 2, uid: 'globex' }]);
    expect(result.nodes).toHaveLength(1);
    expect(result.nodes[0]!.node).toBe('acme-web');
    expect(result.nodes[0]!.manifests).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        metadata: expect.objectContaining({ name: 'acme-settings', namespace: 'shop' }),
        data: { tenant: 'acme', plan: 'GOLD' },
      }),
    ]);
  });
});
