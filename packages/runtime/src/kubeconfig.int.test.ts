import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigPath, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KubeApiError, KubeTransportError } from './errors.js';
import { loadClusterCredentials, type ClusterCredentials } from './kubeconfig.js';
import { RestClient } from './rest-client.js';

const ns = useTestNamespace({ prefix: 'runtime-kubeconfig' });
const clients: RestClient[] = [];
let dir = '';
/** The admin kubeconfig's server and PEMs (it embeds them as -data fields). */
let admin: { server: string; ca: string; cert: string; key: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lynq-kubeconfig-int-'));
  const doc = parse(readFileSync(kubeconfigPath(), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const pem = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
  admin = {
    server: doc.clusters[0]!.cluster['server']!,
    ca: pem(doc.clusters[0]!.cluster['certificate-authority-data']),
    cert: pem(doc.users[0]!.user['client-certificate-data']),
    key: pem(doc.users[0]!.user['client-key-data']),
  };
});
afterAll(() => {
  for (const c of clients) c.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(creds: ClusterCredentials): RestClient {
  const c = new RestClient(creds);
  clients.push(c);
  return c;
}

function write(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig in `sub` whose cluster and user have the given fields. */
function kubeconfig(sub: string, cluster: Record<string, unknown>, user: Record<string, unknown>) {
  return write(
    join(dir, sub, 'config'),
    stringify({
      clusters: [{ name: 'local', cluster: { server: admin.server, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'local', user: 'u' } }],
      'current-context': 'c',
    }),
  );
}

/** Who the API server thinks the client is. */
async function whoAmI(c: RestClient): Promise<string | undefined> {
  const review = await c.request<{ status?: { userInfo?: { username?: string } } }>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return review.status?.userInfo?.username;
}

interface NamespaceList {
  metadata: { resourceVersion: string };
  items: { metadata: { name: string } }[];
}

/** A service account of the test namespace and a fresh token for it. */
async function serviceAccountToken(name: string): Promise<string> {
  const c = client(ns.kubeConfig);
  await c.request({
    method: 'POST',
    path: `/api/v1/namespaces/${ns.name}/serviceaccounts`,
    body: { metadata: { name } },
  });
  const review = await c.request<{ status: { token: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${ns.name}/serviceaccounts/${name}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    },
  });
  return review.status.token;
}

describe('loadClusterCredentials against kube-apiserver', () => {
  it("lists namespaces exactly as a client built from client-node's KubeConfig", async () => {
    const light = client(await loadClusterCredentials({ path: kubeconfigPath() }));
    const heavy = client(ns.kubeConfig);
    const path = '/api/v1/namespaces';
    const first = await heavy.request<NamespaceList>({ path });
    // Both read the same snapshot, so other tests' namespaces cannot make them differ.
    const query = {
      resourceVersion: first.metadata.resourceVersion,
      resourceVersionMatch: 'Exact',
    };
    const [a, b] = await Promise.all([
      light.request<NamespaceList>({ path, query }),
      heavy.request<NamespaceList>({ path, query }),
    ]);
    expect(a).toEqual(b);
    expect(a.items.map((n) => n.metadata.name)).toContain(ns.name);
    expect(await whoAmI(light)).toBe(await whoAmI(heavy));
  });

  it('uses certificate files relative to the kubeconfig, tls-server-name and insecure-skip-tls-verify', async () => {
    write(join(dir, 'files', 'pki', 'ca.crt'), admin.ca);
    write(join(dir, 'files', 'pki', 'admin.crt'), admin.cert);
    write(join(dir, 'files', 'pki', 'admin.key'), admin.key);
    const certs = { 'client-certificate': 'pki/admin.crt', 'client-key': 'pki/admin.key' };
    const ca = { 'certificate-authority': 'pki/ca.crt' };
    const load = async (cluster: Record<string, unknown>) =>
      client(await loadClusterCredentials({ path: kubeconfig('files', cluster, certs) }));
    const adminName = await whoAmI(client(ns.kubeConfig));

    expect(await whoAmI(await load(ca))).toBe(adminName);
    // The serving certificate names kubernetes.default.svc, not wrong.example.
    expect(await whoAmI(await load({ ...ca, 'tls-server-name': 'kubernetes.default.svc' }))).toBe(
      adminName,
    );
    const wrongName = await whoAmI(await load({ ...ca, 'tls-server-name': 'wrong.example' })).catch(
      (e: unknown) => e,
    );
    expect(wrongName).toBeInstanceOf(KubeTransportError);
    expect((wrongName as Error).message).toMatch(/wrong\.example/);
    // Without the CA only insecure-skip-tls-verify gets through.
    await expect(whoAmI(await load({}))).rejects.toThrow(KubeTransportError);
    expect(await whoAmI(await load({ 'insecure-skip-tls-verify': true }))).toBe(adminName);
  });

  it('authenticates with a tokenFile and picks up a rotated token after a 401', async () => {
    const token = await serviceAccountToken('reader');
    const tokenPath = write(join(dir, 'token', 'sa-token'), 'not-a-valid-token\n');
    const c = client(
      await loadClusterCredentials({
        path: kubeconfig(
          'token',
          { 'certificate-authority-data': b64(admin.ca) },
          {
            tokenFile: 'sa-token',
          },
        ),
      }),
    );
    const rejected: unknown = await whoAmI(c).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(KubeApiError);
    expect(rejected).toMatchObject({ status: 401 });
    writeFileSync(tokenPath, `${token}\n`);
    // The cached (bad) token gets a 401; the client re-reads the credentials, the file first.
    expect(await whoAmI(c)).toBe(`system:serviceaccount:${ns.name}:reader`);
  });

  it('authenticates in-cluster from a service-account directory and KUBERNETES_SERVICE_*', async () => {
    const token = await serviceAccountToken('pod');
    const sa = join(dir, 'serviceaccount');
    write(join(sa, 'token'), token);
    write(join(sa, 'ca.crt'), admin.ca);
    write(join(sa, 'namespace'), ns.name);
    const url = new URL(admin.server);
    const creds = await loadClusterCredentials({
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      serviceAccountDir: sa,
    });
    expect(await whoAmI(client(creds))).toBe(`system:serviceaccount:${ns.name}:pod`);
  });

  it('authenticates with an exec plugin: a token, or a client certificate', async () => {
    const token = await serviceAccountToken('plugin');
    const plugin = write(
      join(dir, 'exec', 'plugin.mjs'),
      `const status = process.env.MODE === 'cert'
         ? { clientCertificateData: process.env.CERT, clientKeyData: process.env.KEY }
         : { token: process.env.TOKEN, expirationTimestamp: new Date(Date.now() + 600_000).toISOString() };
       process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status }));`,
    );
    chmodSync(plugin, 0o644);
    const exec = (env: Record<string, string>) => ({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [plugin],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        interactiveMode: 'Never',
      },
    });
    const cluster = { 'certificate-authority-data': b64(admin.ca) };
    const viaToken = client(
      await loadClusterCredentials({
        path: kubeconfig('exec-token', cluster, exec({ TOKEN: token })),
      }),
    );
    expect(await whoAmI(viaToken)).toBe(`system:serviceaccount:${ns.name}:plugin`);
    const viaCert = client(
      await loadClusterCredentials({
        path: kubeconfig(
          'exec-cert',
          cluster,
          exec({ MODE: 'cert', CERT: admin.cert, KEY: admin.key }),
        ),
      }),
    );
    expect(await whoAmI(viaCert)).toBe(await whoAmI(client(ns.kubeConfig)));
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
