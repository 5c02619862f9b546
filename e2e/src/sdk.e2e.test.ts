// @lynq/sdk against a running operator: hubs and forms built and applied with the SDK become
// nodes the client can find, watch and wait for; a node that cannot be Ready makes
// waitForNodeReady fail with the operator's own reason; and the offline preview renders what the
// operator then applies.
import { form, hub } from '@lynq/sdk/builders';
import { LynqClient, NodeNotReadyError, type NodeEvent } from '@lynq/sdk/client';
import { previewForm } from '@lynq/sdk/render';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Res, mysqlSource, useScenario } from './harness/index.js';

const s = useScenario({ name: 'sdk' });
let client: LynqClient;

const tenants = () =>
  hub({
    name: 'tenants',
    namespace: s.namespace,
    spec: {
      source: mysqlSource(s.table),
      valueMappings: { uid: 'id', activate: 'active' },
      extraValueMappings: { plan: 'plan' },
    },
  });

const web = () =>
  form({
    name: 'web',
    namespace: s.namespace,
    spec: {
      hubId: 'tenants',
      configMaps: [
        {
          id: 'settings',
          nameTemplate: '{{ .uid }}-settings',
          spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { plan: '{{ .plan | upper }}' } },
        },
      ],
    },
  });

beforeAll(async () => {
  client = await LynqClient.fromKubeconfig({ path: s.kubeconfig });
  await s.db.insert(s.table, [
    { id: 'acme', active: '1', plan: 'gold', region: 'eu' },
    { id: 'globex', active: '0', plan: 'silver', region: 'us' },
  ]);
  await client.applyHub(tenants());
  await client.applyForm(web());
});
afterAll(() => client?.close());

describe('@lynq/sdk with the operator', () => {
  it('waits for the node of an active row, finds it by hub and form, and the preview matched', async () => {
    const node = await client.waitForNodeReady(s.namespace, 'acme-web', { timeoutMs: 60_000 });
    expect(node.spec?.uid).toBe('acme');
    const names = (list: { metadata: { name?: string } }[]) => list.map((n) => n.metadata.name);
    expect(names(await client.nodesOfHub(s.namespace, 'tenants'))).toEqual(['acme-web']);
    expect(names(await client.nodesOfForm(s.namespace, 'web'))).toEqual(['acme-web']);

    const preview = previewForm(
      web(),
      [
        { id: 'acme', active: '1', plan: 'gold' },
        { id: 'globex', active: '0', plan: 'silver' },
      ],
      { hub: tenants() },
    );
    const applied = await s.kube.get<{ data?: Record<string, string> }>(
      Res.ConfigMap,
      'acme-settings',
      s.namespace,
    );
    expect(preview.nodes.map((n) => n.node)).toEqual(['acme-web']);
    expect(applied?.data).toEqual(preview.nodes[0]!.manifests[0]!['data']);
  });

  it('watches a new row’s node appear and become Ready', async () => {
    const abort = new AbortController();
    const events: NodeEvent[] = [];
    const watching = client.watchNodes(
      { namespace: s.namespace, hub: 'tenants' },
      (e) => events.push(e),
      abort.signal,
    );
    try {
      await s.db.insert(s.table, [{ id: 'initech', active: '1', plan: 'bronze', region: 'eu' }]);
      await client.waitForNodeReady(s.namespace, 'initech-web', { timeoutMs: 60_000 });
      await s.waitFor(
        () =>
          events.some(
            (e) =>
              e.node.metadata.name === 'initech-web' &&
              e.node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          ),
        { what: 'the watch reports initech-web Ready', timeoutMs: 10_000 },
      );
      expect(events.find((e) => e.node.metadata.name === 'initech-web')?.type).toBe('ADDED');
    } finally {
      abort.abort();
      await watching;
    }
  });

  it('rejects with the Ready condition’s reason when a node cannot become Ready', async () => {
    await client.applyForm(
      form({
        name: 'broken',
        namespace: s.namespace,
        spec: {
          hubId: 'tenants',
          manifests: [
            {
              id: 'widget',
              nameTemplate: '{{ .uid }}-widget',
              spec: { apiVersion: 'nothing.example.com/v1', kind: 'Widget', spec: {} },
            },
          ],
        },
      }),
    );
    const err = await client
      .waitForNodeReady(s.namespace, 'acme-broken', { timeoutMs: 15_000 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(NodeNotReadyError);
    const notReady = err as NodeNotReadyError;
    expect(notReady.condition?.status).toBe('False');
    expect(notReady.reason).toBe(notReady.condition?.reason);
    // The operator cannot map the kind, so the resource fails to apply.
    expect(notReady.reason).toBe('ResourcesFailed');
    expect(notReady.detail).not.toBe('');
    // Which resource and why are in the operator's Warning event, which the error carries.
    expect(notReady.warnings[0]).toMatch(/^ApplyFailed: .*widget/i);
    expect(notReady.message).toContain(`(last warning: ${notReady.warnings[0]})`);
    expect(notReady.message).toContain(
      `LynqNode ${s.namespace}/acme-broken not Ready after 15000 ms`,
    );
  });
});
