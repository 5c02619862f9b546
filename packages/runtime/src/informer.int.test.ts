import { Resources } from '@lynq/api';
import { restartApiServer, useTestNamespace } from '@lynq/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { InvalidOptionError } from './errors.js';
import { Informer, stripManagedFields } from './informer.js';
import { silentLogger } from './logger.js';
import { resourcePath, type KubeObject } from './resource.js';
import { RestClient } from './rest-client.js';
import { labelIndex } from './store.js';
import {
  configMap,
  createConfigMap,
  deleteConfigMap,
  eventually,
  patchConfigMap,
  retrying,
} from './testdata/kube.js';

const ns = useTestNamespace({ prefix: 'runtime-informer' });
const informers: Informer[] = [];
afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
});

function track(informer: Informer) {
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => void log.push(`add ${o.metadata.name}`),
    onUpdate: (_o, n) => void log.push(`update ${n.metadata.name}`),
    onDelete: (o) => void log.push(`delete ${o.metadata.name}`),
  });
  return log;
}

const dataOf = (o: KubeObject | undefined) =>
  (o as { data?: Record<string, string> } | undefined)?.data;

describe('Informer against kube-apiserver', () => {
  it('lists in pages, indexes, and follows changes', async () => {
    const client = new RestClient(ns.kubeConfig);
    for (let i = 0; i < 7; i++) {
      await createConfigMap(
        client,
        configMap(ns.name, `page-${i}`, { i: String(i) }, { group: i % 2 === 0 ? 'even' : 'odd' }),
      );
    }
    const informer = new Informer({
      client,
      type: Resources.ConfigMap,
      namespace: ns.name,
      labelSelector: { matchExpressions: [{ key: 'group', operator: 'Exists' }] },
      pageSize: 3,
      indexers: { group: labelIndex('group') },
      transform: stripManagedFields,
      logger: silentLogger,
    });
    informers.push(informer);
    const log = track(informer);
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.store.size).toBe(7);
    expect(informer.stats.lists).toBe(1);
    expect(informer.store.byIndex('group', 'even')).toHaveLength(4);
    expect(informer.store.get('page-3', ns.name)?.kind).toBe('ConfigMap');
    expect(informer.store.get('page-3', ns.name)?.metadata.managedFields).toBeUndefined();

    await patchConfigMap(client, ns.name, 'page-1', { i: 'changed' });
    await deleteConfigMap(client, ns.name, 'page-2');
    await createConfigMap(client, configMap(ns.name, 'unlabelled')); // filtered by the selector
    await eventually(
      'watch events',
      () => log.includes('update page-1') && log.includes('delete page-2'),
    );
    expect(dataOf(informer.store.get('page-1', ns.name))).toEqual({ i: 'changed' });
    expect(informer.store.get('page-1', ns.name)?.metadata.managedFields).toBeUndefined();
    expect(informer.store.get('unlabelled', ns.name)).toBeUndefined();
    expect(informer.store.byIndex('group', 'even')).toHaveLength(3);
  });

  it('caches only metadata when asked to', async () => {
    const client = new RestClient(ns.kubeConfig);
    await createConfigMap(
      client,
      configMap(ns.name, 'meta-only', { big: 'x'.repeat(1000) }, { meta: 'yes' }),
    );
    const informer = new Informer({
      client,
      type: Resources.ConfigMap,
      namespace: ns.name,
      labelSelector: 'meta=yes',
      metadataOnly: true,
      logger: silentLogger,
    });
    informers.push(informer);
    informer.start();
    await informer.waitForSync();
    const cached = informer.store.get('meta-only', ns.name);
    expect(cached?.metadata.labels).toEqual({ meta: 'yes' });
    expect(cached?.kind).toBe('PartialObjectMetadata');
    expect(dataOf(cached)).toBeUndefined();
    await patchConfigMap(client, ns.name, 'meta-only', { big: 'y' });
    await eventually('metadata-only watch event', () => {
      const now = informer.store.get('meta-only', ns.name);
      return now !== undefined && now.metadata.resourceVersion !== cached?.metadata.resourceVersion;
    });
    const updated = informer.store.get('meta-only', ns.name);
    expect(updated?.kind).toBe('PartialObjectMetadata');
    expect(dataOf(updated)).toBeUndefined();
  });

  it('resyncs: hands every cached object to onUpdate again once per period', async () => {
    const client = new RestClient(ns.kubeConfig);
    for (const name of ['resync-a', 'resync-b']) {
      await createConfigMap(client, configMap(ns.name, name, {}, { resync: 'yes' }));
    }
    const clock = new FakeClock(Date.now());
    const informer = new Informer({
      client,
      type: Resources.ConfigMap,
      namespace: ns.name,
      labelSelector: 'resync=yes',
      resyncPeriodMs: 60_000,
      clock,
      logger: silentLogger,
    });
    informers.push(informer);
    const resynced: string[] = [];
    informer.addEventHandler({
      onUpdate: (o, n) => void (o === n && resynced.push(n.metadata.name ?? '')),
    });
    informer.start();
    await informer.waitForSync();

    clock.advance(59_999);
    await new Promise((resolve) => setImmediate(resolve)); // let a fired timer's continuation run
    expect(informer.stats.resyncs).toBe(0);
    clock.advance(1);
    await eventually('the first resync', () => informer.stats.resyncs === 1);
    expect(resynced.sort()).toEqual(['resync-a', 'resync-b']);

    clock.advance(60_000);
    await eventually('the second resync', () => informer.stats.resyncs === 2);
    expect(resynced).toHaveLength(4);

    expect(
      () => new Informer({ client, type: Resources.ConfigMap, resyncPeriodMs: -1 }),
    ).toThrowError(InvalidOptionError);
  });

  it('waitForSync rejects at once with an already-aborted signal', async () => {
    const informer = new Informer({
      client: new RestClient(ns.kubeConfig),
      type: Resources.ConfigMap,
      namespace: ns.name,
    });
    const aborted = AbortSignal.abort(new Error('gave up before waiting'));
    // Never started, so it never syncs: before the fix this promise never settled.
    const outcome = await Promise.race([
      informer.waitForSync(aborted).then(
        () => 'synced',
        (err: unknown) => (err as Error).message,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2000)),
    ]);
    expect(outcome).toBe('gave up before waiting');
  });

  it('survives a kube-apiserver restart and catches up on what changed while it was away', async () => {
    const client = new RestClient(ns.kubeConfig);
    for (const name of ['keep', 'change', 'remove']) {
      await createConfigMap(client, configMap(ns.name, name, { v: '1' }, { restart: 'yes' }));
    }
    // The informer's own backoff waits on a clock the test holds: while the API server is away it
    // cannot reconnect, so the changes below are made while it is disconnected, deterministically.
    const clock = new FakeClock(Date.now());
    const informer = new Informer({
      client,
      type: Resources.ConfigMap,
      namespace: ns.name,
      labelSelector: 'restart=yes',
      clock,
      backoff: { initialMs: 1000, maxMs: 1000, jitter: 0 },
      logger: silentLogger,
    });
    informers.push(informer);
    const log = track(informer);
    informer.start();
    await informer.waitForSync();
    const watchesBefore = informer.stats.watches;

    await restartApiServer({ downtimeMs: 1000 });
    await eventually(
      'informer noticed the outage',
      () => informer.stats.errors > 0 || clock.pendingTimers() > 0,
    );

    await retrying(() => patchConfigMap(client, ns.name, 'change', { v: '2' }));
    await deleteConfigMap(client, ns.name, 'remove');
    await createConfigMap(client, configMap(ns.name, 'new', { v: '1' }, { restart: 'yes' }));
    expect(log).not.toContain('update change');

    // Let the informer retry; it reconnects and catches up (resumed watch, or relist on 410).
    await eventually(
      'informer caught up',
      () => {
        clock.advance(1000);
        return (
          dataOf(informer.store.get('change', ns.name))?.['v'] === '2' &&
          informer.store.get('remove', ns.name) === undefined &&
          informer.store.get('new', ns.name) !== undefined
        );
      },
      60_000,
    );
    expect(informer.stats.watches).toBeGreaterThan(watchesBefore);
    expect(log).toEqual(expect.arrayContaining(['update change', 'delete remove', 'add new']));
    expect(informer.store.keys().sort()).toEqual([
      `${ns.name}/change`,
      `${ns.name}/keep`,
      `${ns.name}/new`,
    ]);

    // And it keeps following changes afterwards.
    await patchConfigMap(client, ns.name, 'keep', { v: '3' });
    await eventually('watching again', () => {
      clock.advance(1000);
      return dataOf(informer.store.get('keep', ns.name))?.['v'] === '3';
    });
  });

  it('relists when its resourceVersion is gone (410) and reports what changed meanwhile', async () => {
    const client = new RestClient(ns.kubeConfig);
    // Nothing matches the selector, so the informer's resourceVersion stays at its list while
    // other objects change; after an API server restart the watch cache starts at a newer
    // version and resuming from the old one answers 410 Gone.
    await createConfigMap(client, configMap(ns.name, 'gone-a', {}, { gone: 'yes' }));
    const clock = new FakeClock(Date.now());
    const informer = new Informer({
      client,
      type: Resources.ConfigMap,
      namespace: ns.name,
      labelSelector: 'gone=yes',
      clock,
      backoff: { initialMs: 1000, maxMs: 1000, jitter: 0 },
      logger: silentLogger,
    });
    informers.push(informer);
    const log = track(informer);
    informer.start();
    await informer.waitForSync();
    const oldVersion = informer.lastResourceVersion;
    for (let i = 0; i < 5; i++) await createConfigMap(client, configMap(ns.name, `noise-${i}`));

    await restartApiServer();
    await retrying(() => deleteConfigMap(client, ns.name, 'gone-a'));
    await createConfigMap(client, configMap(ns.name, 'gone-b', {}, { gone: 'yes' }));
    await eventually(
      'relist after 410',
      () => {
        clock.advance(1000);
        return informer.stats.relists > 0 && informer.store.get('gone-b', ns.name) !== undefined;
      },
      60_000,
    );
    expect(informer.stats.expired).toBeGreaterThan(0);
    expect(informer.store.get('gone-a', ns.name)).toBeUndefined();
    expect(log).toEqual(['add gone-a', 'delete gone-a', 'add gone-b']);
    expect(Number(informer.lastResourceVersion)).toBeGreaterThan(Number(oldVersion));
  });

  it('a raw watch from a compacted-away resourceVersion gets 410 Gone from the server', async () => {
    const client = new RestClient(ns.kubeConfig);
    const res = await client.stream({
      path: resourcePath(Resources.ConfigMap, ns.name),
      query: { watch: 'true', resourceVersion: '1', timeoutSeconds: 5 },
      timeoutMs: 20_000,
    });
    let body = '';
    for await (const chunk of res) body += (chunk as Buffer).toString('utf8');
    const first = JSON.parse(body.split('\n')[0] ?? '{}') as {
      type?: string;
      object?: { code?: number };
    };
    expect(first.type).toBe('ERROR');
    expect(first.object?.code).toBe(410);
  });
});
