import { Resources } from '@lynq/api';
import { useTestNamespace } from '@lynq/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeTransportError } from './errors.js';
import type { ClusterCredentials } from './kubeconfig.js';
import { resourcePath, type KubeObject } from './resource.js';
import { RestClient } from './rest-client.js';
import { configMap, createConfigMap, eventually } from './testdata/kube.js';

const ns = useTestNamespace({ prefix: 'runtime-rest' });
const clients: RestClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

function client(options: ConstructorParameters<typeof RestClient>[1] = {}): RestClient {
  const c = new RestClient(ns.kubeConfig, options);
  clients.push(c);
  return c;
}

interface List {
  items: KubeObject[];
}

describe('RestClient against kube-apiserver', () => {
  it('sends queries encoded, parses answers and counts requests by method', async () => {
    const c = client();
    await createConfigMap(c, configMap(ns.name, 'blue', {}, { color: 'blue' }));
    await createConfigMap(c, configMap(ns.name, 'red', {}, { color: 'red' }));
    const path = resourcePath(Resources.ConfigMap, ns.name);
    // Spaces, commas and "!=" must reach the server intact.
    const notRed = await c.request<List>({ path, query: { labelSelector: 'color, color != red' } });
    expect(notRed.items.map((i) => i.metadata.name)).toEqual(['blue']);
    const none = await c.request<List>({
      path,
      query: { labelSelector: 'color=blue', fieldSelector: 'metadata.name=red', limit: undefined },
    });
    expect(none.items).toEqual([]);
    expect(c.stats()).toMatchObject({ total: 4, writes: 2, byMethod: { GET: 2, POST: 2 } });
  });

  it('turns an error status into KubeApiError with the Status reason', async () => {
    const err: unknown = await client()
      .request({ path: resourcePath(Resources.ConfigMap, ns.name, 'absent') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 404, reason: 'NotFound' });
  });

  it('rejects with KubeTransportError when the body stops arriving, and when aborted', async () => {
    const c = client();
    const watch = {
      path: resourcePath(Resources.ConfigMap, ns.name),
      // Nothing matches, so after its status line the server sends nothing until the watch ends.
      query: { watch: 'true', timeoutSeconds: 60, labelSelector: 'nothing=matches' },
    };
    const silent: unknown = await c.send({ ...watch, timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(silent).toBeInstanceOf(KubeTransportError);
    expect((silent as Error).message).toContain('no data for 1500 ms');

    const controller = new AbortController();
    const pending = c.send({ ...watch, signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('the test aborts'));
    const aborted: unknown = await pending;
    expect(aborted).toBeInstanceOf(KubeTransportError);
    expect((aborted as Error).message).toContain('the test aborts');
  });

  it('rejects at once an aborted request that waits for a connection', async () => {
    const c = client({ maxSockets: 1 });
    const hold = new AbortController();
    // A silent watch read as a request holds the only request connection.
    const holding = c
      .send({
        path: resourcePath(Resources.ConfigMap, ns.name),
        query: { watch: 'true', timeoutSeconds: 60, labelSelector: 'nothing=matches' },
        signal: hold.signal,
      })
      .catch((e: unknown) => e);
    try {
      const started = Date.now();
      const err: unknown = await c
        .request({
          path: resourcePath(Resources.ConfigMap, ns.name),
          signal: AbortSignal.timeout(500),
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeTransportError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      hold.abort(new Error('done'));
      expect(await holding).toBeInstanceOf(KubeTransportError);
    }
  });

  it('keeps watches out of the bound on request connections', async () => {
    const c = client({ maxSockets: 1 });
    const controller = new AbortController();
    // Nothing matches: the watch holds its connection open and silent.
    const watch = await c.stream({
      path: resourcePath(Resources.ConfigMap, ns.name),
      query: { watch: 'true', timeoutSeconds: 60, labelSelector: 'nothing=matches' },
      signal: controller.signal,
    });
    try {
      // With the watch in the only request connection this would wait for the watch to end (a
      // request's timeout starts only once it has a connection: the signal bounds the wait).
      const list = await c.request<List>({
        path: resourcePath(Resources.ConfigMap, ns.name),
        signal: AbortSignal.timeout(5_000),
      });
      expect(Array.isArray(list.items)).toBe(true);
    } finally {
      controller.abort(new Error('done'));
      watch.destroy();
    }
  });

  it('neither sends nor counts a request whose signal already fired', async () => {
    const c = client();
    const before = c.stats();
    const err: unknown = await c
      .request({
        method: 'POST',
        path: resourcePath(Resources.ConfigMap, ns.name),
        body: { metadata: { name: 'never-sent' } },
        signal: AbortSignal.abort(new Error('gone')),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTransportError);
    expect(c.stats()).toEqual(before);
    const absent: unknown = await c
      .request({ path: resourcePath(Resources.ConfigMap, ns.name, 'never-sent') })
      .catch((e: unknown) => e);
    expect(absent).toMatchObject({ status: 404 });
  });

  it('builds its connections anew when any TLS setting changes, servername included, letting requests under way finish', async () => {
    // The kubeconfig's credentials, with a server name the API server's certificate does not hold
    // while `misnamed` is set.
    let misnamed = false;
    const credentials: ClusterCredentials = {
      getCurrentCluster: () => ns.kubeConfig.getCurrentCluster(),
      applyToHTTPSOptions: async (options) => {
        await ns.kubeConfig.applyToHTTPSOptions(options);
        if (misnamed) options.servername = 'not-in-the-certificate.example';
      },
    };
    const c = new RestClient(credentials, { credentialsRefreshMs: 3_600_000 });
    clients.push(c);
    const read = () =>
      c.request({ path: resourcePath(Resources.Namespace, undefined, ns.name) }).then(
        () => 'read',
        (e: unknown) => e,
      );
    expect(await read()).toBe('read');
    // A request under way when the material changes finishes on its connection.
    const sent = c.stats().total;
    const underway = c.send({
      path: resourcePath(Resources.ConfigMap, ns.name),
      query: { watch: 'true', timeoutSeconds: 1, labelSelector: 'nothing=matches' },
    });
    await eventually('the request is under way', () => c.stats().total > sent);
    misnamed = true;
    await c.refreshCredentials();
    expect((await underway).status).toBe(200);
    const refused = await read();
    expect(refused).toBeInstanceOf(KubeTransportError);
    expect((refused as Error).message).toContain('not-in-the-certificate.example');
    misnamed = false;
    await c.refreshCredentials();
    expect(await read()).toBe('read');
  });
});
