// The raw client with credentials other than the admin client certificate.
import { KubeConfig } from '@kubernetes/client-node';
import { loadTestKubeConfig, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from './applier.js';
import { ApiError } from './errors.js';
import { KubeClient } from './kube-client.js';
import { connect, type TestCluster } from './testdata/cluster.js';

const ns = useTestNamespace({ prefix: 'apply-auth' });
let admin: TestCluster;

beforeAll(async () => {
  admin = await connect();
});
afterAll(() => admin?.client.close());

/** A kubeconfig for the test cluster that authenticates with `token` instead of a certificate. */
function tokenKubeConfig(token: string): KubeConfig {
  const base = loadTestKubeConfig();
  const cluster = base.getCurrentCluster();
  if (cluster === null) throw new Error('test kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, { name: 'token-user', token });
  return kc;
}

describe('bearer tokens', () => {
  it('authenticates with a ServiceAccount token and reports RBAC refusals as ApiError 403', async () => {
    await admin.applier.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'applier', namespace: ns.name },
    });
    await admin.applier.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'applier-admin', namespace: ns.name },
      // cluster-admin, bound in one namespace: `edit` is filled by a controller the api profile lacks
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'applier', namespace: ns.name }],
    });
    const tokenResponse = await admin.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns.name}/serviceaccounts/applier/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    });
    const token = (tokenResponse.body as { status: { token: string } }).status.token;

    const client = await KubeClient.fromKubeConfig(tokenKubeConfig(token));
    try {
      const applier = new Applier(client);
      const cm = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'by-token', namespace: ns.name },
        data: { a: '1' },
      };
      expect((await applier.apply(cm)).action).toBe('created');
      const elsewhere = await applier
        .apply({ ...cm, metadata: { name: 'by-token', namespace: 'default' } })
        .catch((err: unknown) => err);
      expect(elsewhere).toBeInstanceOf(ApiError);
      expect((elsewhere as ApiError).status).toBe(403);
      expect((elsewhere as ApiError).reason).toBe('Forbidden');
    } finally {
      client.close();
    }
  });

  it('re-reads credentials once after a 401, then reports it', async () => {
    const client = await KubeClient.fromKubeConfig(tokenKubeConfig('not-a-valid-token'));
    try {
      const error = await client
        .request({ method: 'GET', path: `/api/v1/namespaces/${ns.name}/configmaps` })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(401);
      expect(client.stats().byMethod.GET).toBe(2);
    } finally {
      client.close();
    }
  });
});
