// The manifests and the live table's reading against the local control plane (no operator: the
// node and its status are written here as the operator would).
import { API_VERSION, Kinds, Resources } from '@lynq/api';
import { KubeClient, resourcePath, type KubeObject } from '@lynq/apply';
import { installCrds, loadTestKubeConfig, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { applyManifests, readManifests } from './manifests.js';

const ns = useTestNamespace({ prefix: 'demo' });
let client: KubeClient;

beforeAll(async () => {
  const kc = loadTestKubeConfig();
  await installCrds(kc);
  client = await KubeClient.fromKubeConfig(kc);
});
afterAll(() => client.close());

const nodePath = (name?: string) => resourcePath(Resources.Node, ns.name, name);

describe('the demo', () => {
  it('manifests are accepted by the API server (server-side dry-run apply)', async () => {
    const objects = readManifests().map((obj): KubeObject =>
      obj.kind === 'Namespace'
        ? obj
        : { ...obj, metadata: { ...obj.metadata, namespace: ns.name } },
    );
    await applyManifests(client, objects, { dryRun: true });
    // Dry run: nothing was stored.
    const hubs = await client.request({
      method: 'GET',
      path: resourcePath(Resources.Hub, ns.name),
    });
    expect((hubs.body as { items: unknown[] }).items).toEqual([]);
  });

  it('reads a node, its status and the readiness of its resources', async () => {
    await client.request({
      method: 'POST',
      path: resourcePath(Resources.ConfigMap, ns.name),
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'acme-config' }, data: {} },
    });
    const created = await client.request({
      method: 'POST',
      path: nodePath(),
      body: {
        apiVersion: API_VERSION,
        kind: Kinds.Node,
        metadata: { name: 'acme-web' },
        spec: { uid: 'acme', templateRef: 'web' },
      },
    });
    const node = created.body as KubeObject;
    await client.request({
      method: 'PUT',
      path: `${nodePath('acme-web')}/status`,
      body: {
        ...node,
        status: {
          readyResources: 1,
          desiredResources: 3,
          failedResources: 1,
          skippedResources: 1,
          skippedResourceIds: ['web'],
          appliedResourceRefs: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              namespace: ns.name,
              name: 'acme-config',
              id: 'config',
            },
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: ns.name,
              name: 'acme-app',
              id: 'app',
            },
            { apiVersion: 'v1', kind: 'Service', namespace: ns.name, name: 'acme-web', id: 'web' },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ResourcesFailed',
              message: '1 resources failed',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      },
    });

    const involvedObject = {
      apiVersion: API_VERSION,
      kind: Kinds.Node,
      namespace: ns.name,
      name: 'acme-web',
      uid: node.metadata.uid,
    };
    const warn = async (name: string, reason: string, message: string, at: string) =>
      client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns.name}/events`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name },
          involvedObject,
          type: 'Warning',
          reason,
          message,
          firstTimestamp: at,
          lastTimestamp: at,
          source: { component: 'lynq-operator' },
        },
      });
    await warn(
      'acme-1',
      'ApplyFailed',
      'Failed to apply resource app: older',
      '2026-01-01T10:00:00Z',
    );
    await warn(
      'acme-2',
      'ApplyFailed',
      'Failed to apply resource app: 422',
      '2026-01-01T10:00:01Z',
    );
    // Later, but only a consequence: the table marks the skipped resource instead.
    await warn('acme-3', 'DependencySkipped', "Resource 'web' skipped", '2026-01-01T10:00:02Z');

    const view = await new ClusterState(client, ns.name).read();
    expect(view.hubs).toEqual([]);
    expect(view.nodes).toEqual([
      {
        name: 'acme-web',
        ready: 1,
        desired: 3,
        failed: 1,
        reason: 'ResourcesFailed',
        deleting: false,
        warning: 'ApplyFailed: Failed to apply resource app: 422',
        resources: [
          { kind: 'ConfigMap', name: 'acme-config', ready: true, reason: 'Ready', skipped: false },
          { kind: 'Deployment', name: 'acme-app', ready: undefined, skipped: false },
          { kind: 'Service', name: 'acme-web', ready: undefined, skipped: true },
        ],
      },
    ]);
  });
});
