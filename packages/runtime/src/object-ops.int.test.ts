import { Resources } from '@lynq/api';
import { installCrds, useTestNamespace } from '@lynq/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createObject,
  deleteObject,
  hasFinalizer,
  isAlreadyExists,
  isConflict,
  isNotFound,
  patchStatus,
  replaceObject,
  setFinalizer,
} from './object-ops.js';
import { resourcePath, resourceType, type KubeObject } from './resource.js';
import { RestClient } from './rest-client.js';

const ns = useTestNamespace({ prefix: 'runtime-object-ops' });
const Node = resourceType('operator.lynq.sh/v1', 'LynqNode', 'lynqnodes');

let client: RestClient;
beforeAll(async () => {
  await installCrds(ns.kubeConfig);
  client = new RestClient(ns.kubeConfig);
  return () => client.close();
});

const cm = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns.name },
  data: { a: '1' },
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('object operations against kube-apiserver', () => {
  it('creates, refuses a second create, and replaces only from the current resourceVersion', async () => {
    const created = await createObject(client, Resources.ConfigMap, cm('one'));
    expect(
      isAlreadyExists(await failure(createObject(client, Resources.ConfigMap, cm('one')))),
    ).toBe(true);
    const replaced = await replaceObject(client, Resources.ConfigMap, {
      ...created,
      data: { a: '2' },
    });
    expect(replaced['data']).toEqual({ a: '2' });
    const stale = await failure(
      replaceObject(client, Resources.ConfigMap, { ...created, data: { a: '3' } }),
    );
    expect(isConflict(stale)).toBe(true);
    expect(isAlreadyExists(stale)).toBe(false);
  });

  it('deletes only the incarnation with the given uid', async () => {
    const first = await createObject(client, Resources.ConfigMap, cm('two'));
    await deleteObject(client, Resources.ConfigMap, {
      namespace: ns.name,
      name: 'two',
      uid: first.metadata.uid,
    });
    const second = await createObject(client, Resources.ConfigMap, cm('two'));
    const err = await failure(
      deleteObject(client, Resources.ConfigMap, {
        namespace: ns.name,
        name: 'two',
        uid: first.metadata.uid,
      }),
    );
    expect(isConflict(err)).toBe(true);
    const still = await client.request<KubeObject>({
      path: resourcePath(Resources.ConfigMap, ns.name, 'two'),
    });
    expect(still.metadata.uid).toBe(second.metadata.uid);
    await deleteObject(client, Resources.ConfigMap, { namespace: ns.name, name: 'two' });
    expect(
      isNotFound(
        await failure(
          deleteObject(client, Resources.ConfigMap, { namespace: ns.name, name: 'two' }),
        ),
      ),
    ).toBe(true);
  });

  it('adds and removes a finalizer, keeping others, and refuses a stale list', async () => {
    const obj = await createObject(client, Resources.ConfigMap, {
      ...cm('three'),
      metadata: { name: 'three', namespace: ns.name, finalizers: ['example.com/other'] },
    });
    const added = await setFinalizer(client, Resources.ConfigMap, obj, 'example.com/mine', true);
    expect(added.metadata.finalizers).toEqual(['example.com/other', 'example.com/mine']);
    expect(hasFinalizer(added, 'example.com/mine')).toBe(true);
    expect(
      isConflict(
        await failure(setFinalizer(client, Resources.ConfigMap, obj, 'example.com/x', true)),
      ),
    ).toBe(true);
    const removed = await setFinalizer(
      client,
      Resources.ConfigMap,
      added,
      'example.com/mine',
      false,
    );
    expect(removed.metadata.finalizers).toEqual(['example.com/other']);
    await setFinalizer(client, Resources.ConfigMap, removed, 'example.com/other', false);
  });

  it('writes the whole status and removes fields that went away, whatever the spec did meanwhile', async () => {
    const node = await createObject<KubeObject>(client, Node, {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: { name: 'n', namespace: ns.name },
    });
    const first = await patchStatus(client, Node, node, { readyResources: 1, desiredResources: 2 });
    expect(first['status']).toEqual({ readyResources: 1, desiredResources: 2 });
    await client.request({
      method: 'PATCH',
      path: resourcePath(Node, ns.name, 'n'),
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { changed: 'meanwhile' } } },
    });
    const second = await patchStatus(client, Node, first, { desiredResources: 3 });
    expect(second['status']).toEqual({ desiredResources: 3 });
    expect(second.metadata.labels).toEqual({ changed: 'meanwhile' });

    // ifUnchanged: only onto the resourceVersion the writer read.
    await expect(
      patchStatus(client, Node, first, { desiredResources: 4 }, undefined, { ifUnchanged: true }),
    ).rejects.toMatchObject({ status: 409 });
    const third = await patchStatus(client, Node, second, { desiredResources: 4 }, undefined, {
      ifUnchanged: true,
    });
    expect(third['status']).toEqual({ desiredResources: 4 });
  });
});
