// The README example, against the local control plane.
import { API_VERSION, Kinds, OrphanReasons } from '@lynq/api';
import { decideOwnership } from '@lynq/policy';
import { loadTestKubeConfig, useTestNamespace } from '@lynq/testkit';
import { expect, it } from 'vitest';
import { Applier, ConflictError, KubeClient } from './index.js';
import { applyAs, configMapPath, installCrd, lynqNodeCrd } from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-readme' });

it('runs the README example', async () => {
  const kc = loadTestKubeConfig();
  const client = await KubeClient.fromKubeConfig(kc, { maxSockets: 32 });
  const applier = new Applier(client);
  try {
    await installCrd({ applier, client }, lynqNodeCrd());
    const lynqNode = await applier.apply({
      apiVersion: API_VERSION,
      kind: Kinds.Node,
      metadata: { name: 'acme', namespace: ns.name },
      spec: { uid: 'acme', templateRef: 'form' },
    });
    const node = { name: 'acme', namespace: ns.name, uid: lynqNode.object.metadata.uid ?? '' };
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'acme-settings', namespace: ns.name },
      data: { plan: 'gold' },
    };

    const result = await applier.apply(configMap, {
      strategy: 'apply',
      conflictPolicy: 'Stuck',
      // ownerReference or tracking labels, and lynq.sh/deletion-policy
      ownership: decideOwnership({
        deletionPolicy: 'Delete',
        node,
        targetNamespace: ns.name,
        namespaced: true,
      }),
      ignoreFields: ['$.data.tuned'],
    });
    expect(result.action).toBe('created');
    expect(result.writes).toBe(1);

    // someone else takes the field
    await applyAs(
      client,
      'kubectl-edit',
      configMapPath(ns.name, 'acme-settings'),
      {
        ...configMap,
        data: { plan: 'platinum' },
      },
      true,
    );
    const conflict = await applier
      .apply({ ...configMap, data: { plan: 'silver' } })
      .catch((err: unknown) => err);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).conflicts).toEqual([
      { manager: 'kubectl-edit', operation: 'Apply', field: '.data.plan' },
    ]);

    const results = await applier.applyBatch([configMap], {
      concurrency: 32,
      conflictPolicy: 'Force',
    });
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.message))).toEqual([]);

    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns.name, name: 'acme-settings' };
    const marked = await applier.markOrphaned(ref, {
      reason: OrphanReasons.RemovedFromTemplate,
      from: { name: 'acme' },
    });
    expect(marked?.metadata.ownerReferences).toBeUndefined();
    expect(await applier.delete(ref)).toBe(true);
    expect(await applier.delete(ref)).toBe(false);
  } finally {
    client.close();
  }
});
