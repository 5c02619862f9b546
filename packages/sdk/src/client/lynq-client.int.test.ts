// LynqClient against the local kube-apiserver with Lynq's CRDs. No operator runs here: where a
// test needs a node's status, it writes it through the status subresource as the operator would.
import { API_VERSION, type LynqFormInput, type LynqHubInput, type LynqNodeInput } from '@lynq/api';
import {
  KubeApiError,
  loadClusterCredentials,
  patchStatus,
  RestClient,
  type LogLevel,
} from '@lynq/runtime';
import { installCrds, kubeconfigPath, loadTestKubeConfig, useTestNamespace } from '@lynq/testkit';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NodeNotReadyError } from '../errors.js';
import { LynqClient, type NodeEvent } from './lynq-client.js';
import { LynqTypes } from './resources.js';

const ns = useTestNamespace({ prefix: 'sdk-client' });
let client: LynqClient;

beforeAll(async () => {
  await installCrds(ns.kubeConfig);
  client = await LynqClient.fromKubeconfig({ path: kubeconfigPath() });
});
afterAll(() => client?.close());

const hub = (name: string, table = 'tenants'): LynqHubInput => ({
  apiVersion: API_VERSION,
  kind: 'LynqHub',
  metadata: { name, namespace: ns.name },
  spec: {
    source: {
      type: 'mysql',
      mysql: { host: 'db', username: 'lynq', database: 'app', table },
    },
    valueMappings: { uid: 'id', activate: 'active' },
  },
});

const form = (name: string, hubId: string): LynqFormInput => ({
  apiVersion: API_VERSION,
  kind: 'LynqForm',
  metadata: { name, namespace: ns.name },
  spec: {
    hubId,
    configMaps: [{ id: 'config', nameTemplate: '{{ .uid }}-config', spec: { data: { a: '1' } } }],
  },
});

const node = (name: string, hubName: string, formName: string): LynqNodeInput => ({
  apiVersion: API_VERSION,
  kind: 'LynqNode',
  metadata: { name, namespace: ns.name, labels: { 'lynq.sh/hub': hubName, 'lynq.sh/uid': name } },
  spec: { uid: name, templateRef: formName },
});

/** Writes a node's status as the operator's node controller would. */
async function setReady(
  name: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  observedGeneration?: number,
): Promise<void> {
  const current = await client.getNode(ns.name, name);
  if (current === undefined) throw new Error(`node ${name} missing`);
  await patchStatus(client.rest, LynqTypes.Node, current as never, {
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    conditions: [
      {
        type: 'Ready',
        status,
        reason,
        message,
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ],
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('hubs, forms and nodes', () => {
  it('applies, reads, lists and deletes each kind', async () => {
    const applied = await client.applyHub(hub('crud'));
    expect(applied.metadata.uid).toBeTruthy();
    expect(applied.metadata.managedFields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ manager: 'lynq-sdk', operation: 'Apply' }),
      ]),
    );
    await client.applyForm(form('crud-web', 'crud'));
    await client.applyNode(node('crud-n1', 'crud', 'crud-web'));

    expect((await client.getHub(ns.name, 'crud'))?.spec.source.mysql?.table).toBe('tenants');
    expect((await client.getForm(ns.name, 'crud-web'))?.spec.hubId).toBe('crud');
    expect((await client.getNode(ns.name, 'crud-n1'))?.spec?.templateRef).toBe('crud-web');

    const hubs = await client.listHubs(ns.name);
    expect(hubs.map((h) => [h.kind, h.apiVersion, h.metadata.name])).toEqual([
      ['LynqHub', API_VERSION, 'crud'],
    ]);
    expect((await client.listForms(ns.name)).map((f) => f.metadata.name)).toEqual(['crud-web']);
    // Every namespace: this test's hub is among them.
    expect((await client.listHubs()).some((h) => h.metadata.namespace === ns.name)).toBe(true);

    expect(await client.deleteNode(ns.name, 'crud-n1')).toBe(true);
    expect(await client.deleteForm(ns.name, 'crud-web')).toBe(true);
    expect(await client.deleteHub(ns.name, 'crud')).toBe(true);
    expect(await client.getHub(ns.name, 'crud')).toBeUndefined();
    expect(await client.getForm(ns.name, 'crud-web')).toBeUndefined();
    expect(await client.deleteHub(ns.name, 'crud')).toBe(false);
  });

  it('re-applies an object it read back (server-set metadata and status are left out)', async () => {
    await client.applyHub(hub('roundtrip'));
    const read = await client.getHub(ns.name, 'roundtrip');
    if (read === undefined) throw new Error('hub missing');
    const changed = await client.applyHub({
      ...read,
      spec: {
        ...read.spec,
        source: { ...read.spec.source, mysql: { ...read.spec.source.mysql!, table: 'renamed' } },
      },
    });
    expect(changed.spec.source.mysql?.table).toBe('renamed');
    expect(changed.metadata.generation).toBe((read.metadata.generation ?? 0) + 1);
  });

  it('server-side dry run stores nothing', async () => {
    const dry = await client.applyHub(hub('dry'), { dryRun: true });
    expect(dry.metadata.name).toBe('dry');
    expect(await client.getHub(ns.name, 'dry')).toBeUndefined();
  });

  it('fails on fields another manager owns unless forced', async () => {
    await client.applyHub(hub('owned', 'first'));
    const other = new LynqClient(
      new RestClient(await loadClusterCredentials({ path: kubeconfigPath() })),
      { fieldManager: 'someone-else' },
    );
    try {
      const conflict = await rejection(other.applyHub(hub('owned', 'second')));
      expect(conflict).toBeInstanceOf(KubeApiError);
      expect((conflict as KubeApiError).status).toBe(409);
      const forced = await other.applyHub(hub('owned', 'second'), { force: true });
      expect(forced.spec.source.mysql?.table).toBe('second');
    } finally {
      other.close();
    }
  });

  it('reports what the API server refuses with the field path', async () => {
    const bad = hub('bad');
    (bad.spec as { valueMappings: unknown }).valueMappings = { uid: 'id' };
    const err = await rejection(client.applyHub(bad));
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(422);
    expect((err as KubeApiError).message).toContain('spec.valueMappings.activate');
  });

  it('refuses an object of the wrong kind or without a namespace before sending it', async () => {
    const wrongKind = { ...hub('x'), kind: 'LynqForm' } as unknown as LynqHubInput;
    const err = await rejection(client.applyHub(wrongKind));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('LynqHub kind: must be "LynqHub" (got "LynqForm")');
    await expect(client.getHub('', 'x')).rejects.toThrow('namespace: must be a non-empty name');
    const noNs = hub('y');
    delete noNs.metadata.namespace;
    expect(((await rejection(client.applyHub(noNs))) as Error).message).toContain(
      'metadata.namespace: is required',
    );
  });
});

describe('nodes of a hub and of a form', () => {
  it('finds nodes by the hub label and by spec.templateRef', async () => {
    await client.applyNode(node('of-a1', 'hub-a', 'form-a'));
    await client.applyNode(node('of-a2', 'hub-a', 'form-b'));
    await client.applyNode(node('of-b1', 'hub-b', 'form-a'));
    const names = (nodes: { metadata: { name?: string } }[]) =>
      nodes.map((n) => n.metadata.name).sort();
    expect(names(await client.nodesOfHub(ns.name, 'hub-a'))).toEqual(['of-a1', 'of-a2']);
    expect(names(await client.nodesOfForm(ns.name, 'form-a'))).toEqual(['of-a1', 'of-b1']);
    expect(await client.nodesOfHub(ns.name, 'no-such-hub')).toEqual([]);
  });
});

describe('watching nodes', () => {
  it('reports existing nodes, changes and deletions until the signal aborts', async () => {
    await client.applyNode(node('w-1', 'hub-w', 'form-w'));
    const events: NodeEvent[] = [];
    const abort = new AbortController();
    const seen = (what: (e: NodeEvent) => boolean) =>
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (events.some(what)) {
            clearInterval(check);
            resolve();
          }
        }, 20);
      });
    const watching = client.watchNodes(
      { namespace: ns.name, hub: 'hub-w', form: 'form-w' },
      (e) => events.push(e),
      abort.signal,
    );
    await seen((e) => e.type === 'ADDED' && e.node.metadata.name === 'w-1');
    await client.applyNode(node('w-2', 'hub-w', 'form-w'));
    await client.applyNode(node('w-other-form', 'hub-w', 'form-other'));
    await setReady('w-1', 'True', 'Reconciled', 'all resources ready');
    await client.deleteNode(ns.name, 'w-2');
    await seen((e) => e.type === 'DELETED' && e.node.metadata.name === 'w-2');
    await seen((e) => e.type === 'MODIFIED' && e.node.metadata.name === 'w-1');
    abort.abort();
    await watching;
    expect(events.some((e) => e.node.metadata.name === 'w-other-form')).toBe(false);
    expect(events.filter((e) => e.node.metadata.name === 'w-2').map((e) => e.type)).toEqual([
      'ADDED',
      'DELETED',
    ]);
  }, 30_000);
});

describe('waitForNodeReady', () => {
  it('resolves once the Ready condition turns True', async () => {
    await client.applyNode(node('ready-1', 'hub-r', 'form-r'));
    const waiting = client.waitForNodeReady(ns.name, 'ready-1', { timeoutMs: 20_000 });
    await setReady('ready-1', 'False', 'NotAllResourcesReady', '0/1 resources ready');
    await setReady('ready-1', 'True', 'Reconciled', '1/1 resources ready');
    const ready = await waiting;
    expect(ready.status?.conditions?.[0]?.reason).toBe('Reconciled');
  });

  it('rejects after the timeout with the Ready condition reason and message', async () => {
    await client.applyNode(node('failing-1', 'hub-r', 'form-r'));
    await setReady(
      'failing-1',
      'False',
      'ResourcesFailed',
      'configmap failing-1-config: forbidden',
    );
    const started = Date.now();
    const err = await rejection(
      client.waitForNodeReady(ns.name, 'failing-1', { timeoutMs: 1_500 }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(err).toBeInstanceOf(NodeNotReadyError);
    const notReady = err as NodeNotReadyError;
    expect(notReady.reason).toBe('ResourcesFailed');
    expect(notReady.detail).toBe('configmap failing-1-config: forbidden');
    expect(notReady.condition?.status).toBe('False');
    expect(notReady.message).toBe(
      `LynqNode ${ns.name}/failing-1 not Ready after 1500 ms: ResourcesFailed: configmap failing-1-config: forbidden`,
    );
  });

  it('adds the node’s latest Warning events, where the operator says which resource failed', async () => {
    const created = await client.applyNode(node('warned-1', 'hub-r', 'form-r'));
    await setReady('warned-1', 'False', 'ResourcesFailed', '1 resources failed');
    for (const [reason, message, at] of [
      ['ApplyFailed', 'configmap warned-1-config: forbidden', '2026-01-01T00:00:01Z'],
      ['ApplyFailed', 'configmap warned-1-config: quota exceeded', '2026-01-01T00:00:02Z'],
    ] as const) {
      await client.rest.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns.name}/events`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: 'warned-1.', namespace: ns.name },
          involvedObject: {
            apiVersion: API_VERSION,
            kind: 'LynqNode',
            name: 'warned-1',
            namespace: ns.name,
            uid: created.metadata.uid,
          },
          type: 'Warning',
          reason,
          message,
          firstTimestamp: at,
          lastTimestamp: at,
          source: { component: 'lynqnode-controller' },
        },
      });
    }
    const err = (await rejection(
      client.waitForNodeReady(ns.name, 'warned-1', { timeoutMs: 800 }),
    )) as NodeNotReadyError;
    expect(err.warnings).toEqual([
      'ApplyFailed: configmap warned-1-config: quota exceeded',
      'ApplyFailed: configmap warned-1-config: forbidden',
    ]);
    expect(err.message).toBe(
      `LynqNode ${ns.name}/warned-1 not Ready after 800 ms: ResourcesFailed: 1 resources failed (last warning: ApplyFailed: configmap warned-1-config: quota exceeded)`,
    );
  });

  it('says NotFound for a node that does not exist', async () => {
    const err = await rejection(client.waitForNodeReady(ns.name, 'never', { timeoutMs: 800 }));
    expect((err as NodeNotReadyError).reason).toBe('NotFound');
  });

  it('does not count a True condition written for an older generation', async () => {
    await client.applyNode(node('stale-1', 'hub-r', 'form-r'));
    await setReady('stale-1', 'True', 'Reconciled', 'ok', 1);
    // A spec change bumps the generation; the status still speaks of generation 1.
    const changed = node('stale-1', 'hub-r', 'form-r');
    changed.spec = { uid: 'stale-1', templateRef: 'form-r2' };
    await client.applyNode(changed);
    const err = await rejection(client.waitForNodeReady(ns.name, 'stale-1', { timeoutMs: 800 }));
    expect((err as NodeNotReadyError).reason).toBe('StaleStatus');
  });

  it('stops waiting when the signal aborts', async () => {
    const abort = new AbortController();
    const waiting = client.waitForNodeReady(ns.name, 'never-2', {
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    abort.abort(new Error('user gave up'));
    expect(((await rejection(waiting)) as Error).message).toBe('user gave up');
  });
});

describe('watch failures', () => {
  it('are reported through the logger, not swallowed, while the watch keeps retrying', async () => {
    const base = loadTestKubeConfig();
    const cluster = base.getCurrentCluster();
    if (cluster === null) throw new Error('test kubeconfig has no cluster');
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(cluster, { name: 'nobody', token: 'not-a-valid-token' });
    const logged: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
    const denied = LynqClient.fromCredentials(kc, {
      logger: { log: (level, message, fields) => logged.push({ level, message, fields }) },
    });
    const abort = new AbortController();
    const watching = denied.watchNodes({ namespace: ns.name }, () => undefined, abort.signal);
    try {
      const deadline = Date.now() + 10_000;
      while (!logged.some((l) => l.level === 'warn')) {
        if (Date.now() > deadline) throw new Error('no warning logged within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(JSON.stringify(logged.find((l) => l.level === 'warn'))).toContain('401');
    } finally {
      abort.abort();
      await watching;
      denied.close();
    }
  });
});
