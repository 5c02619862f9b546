// Helpers for the integration tests: other field managers, test CRDs, polling.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTestKubeConfig, waitFor } from '@lynq/testkit';
import { parse } from 'yaml';
import { Applier, type ApplierOptions } from '../applier.js';
import { ApiError } from '../errors.js';
import { KubeClient } from '../kube-client.js';
import { refOf, type KubeObject } from '../object-ref.js';

export interface TestCluster {
  client: KubeClient;
  applier: Applier;
}

export async function connect(options: ApplierOptions = {}): Promise<TestCluster> {
  const client = await KubeClient.fromKubeConfig(loadTestKubeConfig(), { maxSockets: 8 });
  return { client, applier: new Applier(client, options) };
}

export function configMapPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${namespace}/configmaps/${name}`;
}

/** Another field manager's Server-Side Apply (not through the library). */
export async function applyAs(
  client: KubeClient,
  manager: string,
  path: string,
  body: KubeObject,
  force = false,
): Promise<KubeObject> {
  const response = await client.request({
    method: 'PATCH',
    path,
    query: { fieldManager: manager, force: force ? 'true' : undefined },
    body,
    contentType: 'application/apply-patch+yaml',
  });
  return response.body as KubeObject;
}

/** Another field manager's JSON merge patch: what `kubectl edit` and most tools do. */
export async function mergePatchAs(
  client: KubeClient,
  manager: string,
  path: string,
  patch: Record<string, unknown>,
): Promise<KubeObject> {
  const response = await client.request({
    method: 'PATCH',
    path,
    query: { fieldManager: manager },
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  return response.body as KubeObject;
}

export async function getRaw(client: KubeClient, path: string): Promise<KubeObject | null> {
  try {
    return (await client.request({ method: 'GET', path })).body as KubeObject;
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound) return null;
    throw err;
  }
}

/** A tiny CRD: `<plural>.<group>`, kind `kind`, with a schema that has spec.size and spec.color. */
export function testCrd(group: string, kind: string, scope: 'Namespaced' | 'Cluster'): KubeObject {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: { type: 'integer' }, color: { type: 'string' } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/** The repository's LynqNode CRD (deploy/crds), parsed as plain JSON. */
export function lynqNodeCrd(): KubeObject {
  const file = fileURLToPath(
    new URL('../../../../deploy/crds/operator.lynq.sh_lynqnodes.yaml', import.meta.url),
  );
  return parse(readFileSync(file, 'utf8')) as KubeObject;
}

/**
 * Applies a CRD (force: shared clusters) and waits until the API server serves it: Established,
 * and listed by discovery, which the API server updates a moment after Established.
 */
export async function installCrd({ applier, client }: TestCluster, crd: KubeObject): Promise<void> {
  await applier.apply(crd, { conflictPolicy: 'Force' });
  const ref = refOf(crd);
  await waitFor(
    `CRD ${ref.name} established`,
    async () => {
      const live = await applier.get(ref);
      const conditions = (
        live?.['status'] as { conditions?: { type: string; status: string }[] } | undefined
      )?.conditions;
      return conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const spec = crd['spec'] as {
    group: string;
    names: { kind: string };
    versions: { name: string }[];
  };
  for (const { name: version } of spec.versions) {
    await waitFor(
      `discovery lists ${spec.names.kind} in ${spec.group}/${version}`,
      async () => {
        const list = await getRaw(client, `/apis/${spec.group}/${version}`);
        const resources = (list as { resources?: { kind?: string }[] } | null)?.resources ?? [];
        return resources.some((r) => r.kind === spec.names.kind);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }
}

export function annotationsOf(obj: KubeObject | null): Record<string, string> {
  return obj?.metadata.annotations ?? {};
}

export function labelsOf(obj: KubeObject | null): Record<string, string> {
  return obj?.metadata.labels ?? {};
}

/**
 * Real LynqNodes (the CRD installed first), so that the garbage collector keeps what they own;
 * returns their uids by name.
 */
export async function createLynqNodes(
  t: TestCluster,
  namespace: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  await installCrd(t, lynqNodeCrd());
  const uids: Record<string, string> = {};
  for (const name of names) {
    const created = await t.applier.apply({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: { name, namespace },
      spec: { uid: name, templateRef: 'web' },
    });
    uids[name] = created.object.metadata.uid ?? '';
  }
  return uids;
}
