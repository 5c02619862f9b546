// Helpers for the integration tests: plain REST calls against the test cluster.
import { Resources } from '@lynq/api';
import { setTimeout as delay } from 'node:timers/promises';
import { resourcePath, type KubeObject } from '../resource.js';
import type { RestClient } from '../rest-client.js';

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

export async function createConfigMap(client: RestClient, cm: KubeObject): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'POST',
    path: resourcePath(Resources.ConfigMap, cm.metadata.namespace),
    body: cm,
  });
}

export async function patchConfigMap(
  client: RestClient,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'PATCH',
    path: resourcePath(Resources.ConfigMap, namespace, name),
    contentType: 'application/merge-patch+json',
    body: { data },
  });
}

export async function deleteConfigMap(
  client: RestClient,
  namespace: string,
  name: string,
): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: resourcePath(Resources.ConfigMap, namespace, name),
  });
}

/** Polls `cond` until it is true; fails with `what` after the timeout. */
export async function eventually(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

/** Retries `fn` while the API server is unavailable (right after a restart). */
export async function retrying<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(200);
    }
  }
}
