import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { installCrds, readCrds } from './crds.js';
import { useTestNamespace } from './namespace.js';

const group = 'operator.lynq.sh';
const version = 'v1';
const plural = 'lynqforms';

interface LynqFormLike {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { hubId: string; configMaps?: Array<Record<string, unknown>> };
}

function form(name: string, deletionPolicy = 'Delete'): LynqFormLike {
  return {
    apiVersion: `${group}/${version}`,
    kind: 'LynqForm',
    metadata: { name },
    spec: {
      hubId: 'hub-a',
      configMaps: [
        {
          id: 'settings',
          deletionPolicy,
          spec: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'settings' },
            data: { a: '1' },
          },
        },
      ],
    },
  };
}

/** The API server's Status message of a rejected request. */
async function rejection(call: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call();
  } catch (err) {
    if (err instanceof ApiException) {
      const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      const message =
        typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : '';
      return { code: err.code, message };
    }
    throw err;
  }
  throw new Error('expected the API server to reject the request');
}

describe('api profile: kube-apiserver with the Lynq CRDs', () => {
  const ns = useTestNamespace({ prefix: 'testkit-api' });
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    const names = await installCrds(ns.kubeConfig);
    expect(names).toEqual(
      expect.arrayContaining(['lynqforms.operator.lynq.sh', 'lynqhubs.operator.lynq.sh']),
    );
    custom = ns.kubeConfig.makeApiClient(CustomObjectsApi);
  });

  it('reads all three CRDs from deploy/crds', () => {
    expect(
      readCrds()
        .map((c) => c.spec.names.kind)
        .sort(),
    ).toEqual(['LynqForm', 'LynqHub', 'LynqNode']);
  });

  it('creates a LynqForm and applies the schema defaults', async () => {
    const created = (await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: ns.name,
      plural,
      body: form('web'),
    })) as LynqFormLike;
    expect(created.spec.hubId).toBe('hub-a');
    expect(created.spec.configMaps?.[0]?.['creationPolicy']).toBe('WhenNeeded');
  });

  it('rejects a change of spec.hubId', async () => {
    const current = (await custom.getNamespacedCustomObject({
      group,
      version,
      namespace: ns.name,
      plural,
      name: 'web',
    })) as LynqFormLike;
    const changed: LynqFormLike = { ...current, spec: { ...current.spec, hubId: 'hub-b' } };
    const { code, message } = await rejection(() =>
      custom.replaceNamespacedCustomObject({
        group,
        version,
        namespace: ns.name,
        plural,
        name: 'web',
        body: changed,
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain('hubId is immutable');
  });

  it('rejects an invalid enum value by schema validation', async () => {
    const { code, message } = await rejection(() =>
      custom.createNamespacedCustomObject({
        group,
        version,
        namespace: ns.name,
        plural,
        body: form('bad', 'Sometimes'),
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain('deletionPolicy');
    expect(message).toContain('Unsupported value: "Sometimes"');
  });
});

describe('api profile: Service addresses', () => {
  const ns = useTestNamespace({ prefix: 'testkit-svc' });

  it('has room for more than 254 Services (scale tests create thousands)', async () => {
    const core = ns.kubeConfig.makeApiClient(CoreV1Api);
    const count = 300;
    const created = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        core.createNamespacedService({
          namespace: ns.name,
          body: {
            metadata: { name: `svc-${i}` },
            spec: { ports: [{ port: 80 }], selector: { app: `a${i}` } },
          },
        }),
      ),
    );
    const ips = new Set(created.map((s) => s.spec?.clusterIP));
    expect(ips.size).toBe(count);
  }, 120_000);
});
