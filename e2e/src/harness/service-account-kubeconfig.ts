import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigPath } from '@lynq/testkit';
import type { Kube } from './kube.js';

/**
 * Writes `dir/operator.kubeconfig` for the ServiceAccount `namespace/name`: the test cluster's
 * server and CA, and a token from the TokenRequest API (an hour), nothing of the admin's.
 */
export async function writeServiceAccountKubeconfig(
  kube: Kube,
  namespace: string,
  name: string,
  dir: string,
): Promise<string> {
  const answer = await kube.rest.request<{ status?: { token?: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    },
  });
  const token = answer.status?.token;
  if (token === undefined || token === '') throw new Error('TokenRequest returned no token');
  const admin = new KubeConfig();
  admin.loadFromFile(kubeconfigPath());
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error(`${kubeconfigPath()} has no current cluster`);
  const path = join(dir, 'operator.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'lynq-e2e',
        cluster: {
          server: cluster.server,
          ...(cluster.caData !== undefined
            ? { 'certificate-authority-data': cluster.caData }
            : cluster.caFile !== undefined
              ? { 'certificate-authority': cluster.caFile }
              : {}),
        },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name: 'operator', context: { cluster: 'lynq-e2e', user: name } }],
    'current-context': 'operator',
  };
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}
