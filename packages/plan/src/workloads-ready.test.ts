import type { AppliedResourceRef, KubeObject, LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { form } from './testdata/fixtures.js';
import { workloadsReady } from './workloads-ready.js';

const deployment = (name: string, updated: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps', generation: 1 },
  spec: { replicas: 1 },
  status: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: updated,
    readyReplicas: updated,
    availableReplicas: updated,
  },
});

const ref = (kind: string, name: string, apiVersion = 'apps/v1'): AppliedResourceRef => ({
  apiVersion,
  kind,
  name,
  namespace: 'apps',
  id: name,
});

const node = (name: string, templateRef: string, refs: AppliedResourceRef[]): LynqNode =>
  ({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqNode',
    metadata: { name, namespace: 'apps' },
    spec: { templateRef },
    status: { appliedResourceRefs: refs },
  }) as LynqNode;

describe('workloadsReady', () => {
  const live = new Map<string, KubeObject>([
    ['settled', deployment('settled', 1)],
    ['rolling', deployment('rolling', 0)],
  ]);

  it('reads nothing and answers undefined when no form paces its rollout', async () => {
    const reads: string[] = [];
    const answer = await workloadsReady(
      [form('web')],
      [node('a-web', 'web', [ref('Deployment', 'settled')])],
      (r) => {
        reads.push(r.name);
        return Promise.resolve(live.get(r.name));
      },
    );
    expect(answer).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it("answers for the paced form's nodes only, from their apps/ workloads, stopping at the first unsettled one", async () => {
    const reads: string[] = [];
    const answer = await workloadsReady(
      [form('web', { rollout: { maxSkew: 1 } }), form('api')],
      [
        node('a-web', 'web', [ref('ConfigMap', 'cm', 'v1'), ref('Deployment', 'settled')]),
        node('b-web', 'web', [ref('Deployment', 'rolling'), ref('StatefulSet', 'settled')]),
        node('c-web', 'web', [ref('Deployment', 'gone')]),
        node('a-api', 'api', [ref('Deployment', 'rolling')]),
      ],
      (r) => {
        reads.push(`${r.kind}/${r.name}`);
        return Promise.resolve(live.get(r.name) ?? null);
      },
    );
    expect(answer).toEqual({ 'a-web': true, 'b-web': false, 'c-web': false });
    expect(reads).toEqual(['Deployment/settled', 'Deployment/rolling', 'Deployment/gone']);
  });
});
