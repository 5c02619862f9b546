import { resourceType, type ResourceType } from '@lynq/runtime';
import { Res, conditionOf, type Condition, type Kube } from './kube.js';
import { waitFor } from './wait-for.js';

export interface TestCrd {
  readonly type: ResourceType;
  readonly name: string;
  remove(): Promise<void>;
}

/**
 * A namespaced CustomResourceDefinition with a status subresource and free-form spec/status,
 * under a group unique to the caller (CRDs are cluster-wide; parallel files must not share one).
 * Resolves once the API server serves it.
 */
export async function installTestCrd(
  kube: Kube,
  options: { group: string; kind: string; plural: string },
): Promise<TestCrd> {
  const name = `${options.plural}.${options.group}`;
  const freeForm = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  await kube.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: options.group,
      scope: 'Namespaced',
      names: {
        kind: options.kind,
        plural: options.plural,
        singular: options.kind.toLowerCase(),
        listKind: `${options.kind}List`,
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: freeForm, status: freeForm },
            },
          },
        },
      ],
    },
  });
  const type = resourceType(`${options.group}/v1`, options.kind, options.plural);
  await waitFor(
    async (note) => {
      const crd = await kube.get<{ status?: { conditions?: Condition[] } }>(Res.Crd, name);
      const established = conditionOf(crd, 'Established');
      note({ established });
      if (established?.status !== 'True') return false;
      await kube.list(type); // 404 until the handler is in place
      return true;
    },
    { what: `CRD ${name} served`, timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    type,
    name,
    remove: async () => {
      await kube.delete(Res.Crd, name);
    },
  };
}
