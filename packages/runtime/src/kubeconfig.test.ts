import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ExecCredentialError, KubeconfigError } from './kubeconfig-error.js';
import {
  loadClusterCredentials,
  SERVICE_ACCOUNT_DIR,
  type ClusterCredentials,
} from './kubeconfig.js';

// Not real certificates: these tests compare what lands in the request options. The integration
// test (kubeconfig.int.test.ts) uses real ones against kube-apiserver.
const pemOf = (label: string, body: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const CA = pemOf('CERTIFICATE', 'the ca');
const CERT = pemOf('CERTIFICATE', 'the client');
const KEY = pemOf('PRIVATE KEY', 'the key');
const b64 = (text: string) => Buffer.from(text).toString('base64');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lynq-kubeconfig-'));
  dirs.push(dir);
  return dir;
}

function write(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

interface Entries {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown> | null;
  extra?: Record<string, unknown>;
}

/** A kubeconfig with one context `main` → cluster `local` → user `me`. */
function kubeconfig(dir: string, { cluster = {}, user = {}, extra = {} }: Entries = {}): string {
  return write(
    join(dir, 'config'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
      users: user === null ? [] : [{ name: 'me', user }],
      contexts: [
        { name: 'main', context: { cluster: 'local', ...(user === null ? {} : { user: 'me' }) } },
      ],
      'current-context': 'main',
      ...extra,
    }),
  );
}

async function applied(creds: ClusterCredentials): Promise<https.RequestOptions> {
  const options: https.RequestOptions = {};
  await creds.applyToHTTPSOptions(options);
  return options;
}

function authorization(options: https.RequestOptions): unknown {
  return (options.headers as OutgoingHttpHeaders | undefined)?.['Authorization'];
}

/** The fields RestClient takes from the options, as client-node's KubeConfig sets them. */
async function clientNodeView(path: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const o: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(o);
  // client-node puts basic auth into `auth`, which RestClient does not send; the light loader
  // puts it where it takes effect, the header.
  const auth =
    authorization(o) ??
    (typeof o.auth === 'string' ? `Basic ${Buffer.from(o.auth).toString('base64')}` : undefined);
  return { ...tlsView(o), authorization: auth, cluster: clusterView(kc) };
}

async function lightView(path: string) {
  const creds = await loadClusterCredentials({ path });
  const o = await applied(creds);
  return { ...tlsView(o), authorization: authorization(o), cluster: clusterView(creds) };
}

function tlsView(o: https.RequestOptions) {
  return {
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    rejectUnauthorized: o.rejectUnauthorized,
    servername: o.servername,
  };
}

function clusterView(c: ClusterCredentials) {
  const cluster = c.getCurrentCluster();
  return { name: cluster?.name, server: cluster?.server, skipTLSVerify: cluster?.skipTLSVerify };
}

async function failure(p: Promise<unknown>): Promise<KubeconfigError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeconfigError);
  return err as KubeconfigError;
}

describe('loadClusterCredentials: what lands in the request options, compared with client-node', () => {
  it('reads certificate files relative to the kubeconfig, again on every call', async () => {
    const dir = tempDir();
    write(join(dir, 'pki', 'ca.crt'), CA);
    write(join(dir, 'pki', 'me.crt'), CERT);
    write(join(dir, 'pki', 'me.key'), KEY);
    const path = kubeconfig(dir, {
      cluster: { 'certificate-authority': 'pki/ca.crt', server: 'https://example.test:6443/' },
      user: { 'client-certificate': 'pki/me.crt', 'client-key': join(dir, 'pki', 'me.key') },
    });
    const light = await lightView(path);
    expect(light).toEqual(await clientNodeView(path));
    expect(light).toMatchObject({
      ca: Buffer.from(CA),
      cert: Buffer.from(CERT),
      key: Buffer.from(KEY),
      cluster: { name: 'local', server: 'https://example.test:6443', skipTLSVerify: false },
    });
    expect(light.rejectUnauthorized).toBeUndefined();

    // A rotated certificate is picked up by the next call.
    const creds = await loadClusterCredentials({ path });
    const rotated = pemOf('CERTIFICATE', 'the next client');
    write(join(dir, 'pki', 'me.crt'), rotated);
    expect((await applied(creds)).cert).toEqual(Buffer.from(rotated));
  });

  it('decodes the -data fields', async () => {
    const path = kubeconfig(tempDir(), {
      cluster: { 'certificate-authority-data': b64(CA) },
      user: { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) },
    });
    const light = await lightView(path);
    expect(light).toEqual(await clientNodeView(path));
    expect(light).toMatchObject({ ca: Buffer.from(CA), cert: Buffer.from(CERT) });
  });

  it('turns insecure-skip-tls-verify and tls-server-name into rejectUnauthorized and servername', async () => {
    const path = kubeconfig(tempDir(), {
      cluster: { 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes.default.svc' },
      user: { token: 'abc' },
    });
    const light = await lightView(path);
    expect(light).toEqual(await clientNodeView(path));
    expect(light).toMatchObject({
      rejectUnauthorized: false,
      servername: 'kubernetes.default.svc',
      authorization: 'Bearer abc',
      cluster: { skipTLSVerify: true },
    });
  });

  it('sends basic auth as an Authorization header', async () => {
    const path = kubeconfig(tempDir(), { user: { username: 'admin', password: 's3cret:x' } });
    const light = await lightView(path);
    expect(light).toEqual(await clientNodeView(path));
    expect(light.authorization).toBe(`Basic ${b64('admin:s3cret:x')}`);
  });

  it('lets a context without a user connect anonymously', async () => {
    const path = kubeconfig(tempDir(), {
      user: null,
      cluster: { 'certificate-authority-data': b64(CA) },
    });
    const options = await applied(await loadClusterCredentials({ path }));
    expect(options.ca).toEqual(Buffer.from(CA));
    expect(options.headers).toBeUndefined();
  });

  it('re-reads a tokenFile on every call (projected tokens rotate), trimmed', async () => {
    const dir = tempDir();
    write(join(dir, 'tokens', 'sa'), 'first-token\n');
    const creds = await loadClusterCredentials({
      path: kubeconfig(dir, { user: { tokenFile: 'tokens/sa' } }),
    });
    expect(authorization(await applied(creds))).toBe('Bearer first-token');
    write(join(dir, 'tokens', 'sa'), 'second-token\n');
    expect(authorization(await applied(creds))).toBe('Bearer second-token');

    // client-node's spelling, token-file, is read too (client-node read it once, at load).
    const other = tempDir();
    write(join(other, 'tok'), 'legacy');
    const legacy = await loadClusterCredentials({
      path: kubeconfig(other, { user: { 'token-file': 'tok' } }),
    });
    expect(authorization(await applied(legacy))).toBe('Bearer legacy');
  });

  it('keeps headers the caller already set', async () => {
    const creds = await loadClusterCredentials({
      path: kubeconfig(tempDir(), { user: { token: 't' } }),
    });
    const options: https.RequestOptions = { headers: { 'X-Caller': 'yes' } };
    await creds.applyToHTTPSOptions(options);
    expect(options.headers).toEqual({ 'X-Caller': 'yes', Authorization: 'Bearer t' });
  });
});

describe('loadClusterCredentials: which kubeconfig', () => {
  const saDir = (dir: string, token = 'pod-token') => {
    const sa = join(dir, 'sa');
    write(join(sa, 'token'), token);
    write(join(sa, 'ca.crt'), CA);
    write(join(sa, 'namespace'), 'lynq-system');
    return sa;
  };
  const serverOf = async (p: Promise<ClusterCredentials>) => (await p).getCurrentCluster()?.server;

  it('takes the path, else KUBECONFIG, else in-cluster, else ~/.kube/config', async () => {
    const dir = tempDir();
    const explicit = kubeconfig(join(dir, 'explicit'), {
      cluster: { server: 'https://explicit:1' },
    });
    const fromEnv = kubeconfig(join(dir, 'env'), { cluster: { server: 'https://env:1' } });
    kubeconfig(join(dir, 'home', '.kube'), { cluster: { server: 'https://home:1' } });
    const sa = saDir(dir);
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const home = { HOME: join(dir, 'home') };
    const load = (env: NodeJS.ProcessEnv, extra: { path?: string; context?: string } = {}) =>
      serverOf(loadClusterCredentials({ ...extra, env, serviceAccountDir: sa }));

    expect(await load({ KUBECONFIG: fromEnv, ...pod, ...home }, { path: explicit })).toBe(
      'https://explicit:1',
    );
    expect(await load({ KUBECONFIG: fromEnv, ...pod, ...home })).toBe('https://env:1');
    expect(await load({ KUBECONFIG: '', ...pod, ...home })).toBe('https://10.0.0.1:443');
    expect(await load({ ...home })).toBe('https://home:1');
    // An explicit context means a kubeconfig, even in a pod.
    expect(await load({ ...pod, ...home }, { context: 'main' })).toBe('https://home:1');
    // A pod without a token is no pod.
    expect(
      await serverOf(
        loadClusterCredentials({ env: { ...pod, ...home }, serviceAccountDir: join(dir, 'none') }),
      ),
    ).toBe('https://home:1');

    const err = await failure(
      loadClusterCredentials({ env: { HOME: join(dir, 'nohome') }, serviceAccountDir: sa }),
    );
    expect(err.message).toContain(join(dir, 'nohome', '.kube', 'config'));
    expect(err.message).toContain('not found');
  });

  it('in a pod: https to KUBERNETES_SERVICE_HOST:PORT, ca.crt, the token re-read on every call', async () => {
    const dir = tempDir();
    const sa = saDir(dir, 'token-1\n');
    const creds = await loadClusterCredentials({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' },
      serviceAccountDir: sa,
    });
    expect(creds.getCurrentCluster()).toEqual({
      name: 'inCluster',
      server: 'https://[fd00::1]:6443',
      skipTLSVerify: false,
    });
    const first = await applied(creds);
    expect(first.ca).toEqual(Buffer.from(CA));
    expect(authorization(first)).toBe('Bearer token-1');
    write(join(sa, 'token'), 'token-2\n');
    expect(authorization(await applied(creds))).toBe('Bearer token-2');

    rmSync(join(sa, 'ca.crt'));
    const err = await failure(
      loadClusterCredentials({
        env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
        serviceAccountDir: sa,
      }),
    );
    expect(err.message).toBe(
      `in-cluster config ${sa}: ca.crt ${join(sa, 'ca.crt')}: cannot read: ENOENT`,
    );
    expect(err.field).toBe('ca.crt');
  });

  it("in a pod: the same options as client-node's in-cluster config", async () => {
    const root = tempDir();
    const sa = join(root, SERVICE_ACCOUNT_DIR);
    write(join(sa, 'token'), 'pod-token');
    write(join(sa, 'ca.crt'), CA);
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const light = await loadClusterCredentials({ env: pod, serviceAccountDir: sa });
    // client-node reads the environment itself.
    const saved = { ...process.env };
    Object.assign(process.env, pod);
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster(root);
    } finally {
      for (const key of Object.keys(pod)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    const view = async (c: ClusterCredentials) => {
      const o = await applied(c);
      return { ...tlsView(o), authorization: authorization(o), cluster: clusterView(c) };
    };
    expect(await view(light)).toEqual(await view(kc));
  });

  it('uses the context asked for instead of current-context', async () => {
    const path = kubeconfig(tempDir(), {
      extra: {
        clusters: [
          { name: 'local', cluster: { server: 'https://local:1' } },
          { name: 'other', cluster: { server: 'https://other:1' } },
        ],
        contexts: [
          { name: 'main', context: { cluster: 'local', user: 'me' } },
          { name: 'dev', context: { cluster: 'other', user: 'me' } },
        ],
      },
    });
    expect(await serverOf(loadClusterCredentials({ path }))).toBe('https://local:1');
    expect(await serverOf(loadClusterCredentials({ path, context: 'dev' }))).toBe(
      'https://other:1',
    );
    const err = await failure(loadClusterCredentials({ path, context: 'prod' }));
    expect(err.message).toBe(`kubeconfig ${path}: context "prod" is not defined`);
  });
});

describe('loadClusterCredentials: what it leaves to client-node', () => {
  it('hands auth-provider, proxy-url and impersonation to a KubeConfig loaded the same way', async () => {
    const dir = tempDir();
    const oidc = kubeconfig(join(dir, 'oidc'), {
      user: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x', 'client-id': 'c' } } },
    });
    expect(await loadClusterCredentials({ path: oidc })).toBeInstanceOf(KubeConfig);

    const proxied = kubeconfig(join(dir, 'proxy'), {
      cluster: { 'proxy-url': 'http://proxy.test:3128' },
      user: { token: 't' },
    });
    const viaProxy = await loadClusterCredentials({ path: proxied });
    expect(viaProxy).toBeInstanceOf(KubeConfig);
    expect(viaProxy.getCurrentCluster()?.proxyUrl).toBe('http://proxy.test:3128');

    const impersonating = kubeconfig(join(dir, 'as'), { user: { token: 't', as: 'someone' } });
    const options = await applied(await loadClusterCredentials({ path: impersonating }));
    expect((options.headers as OutgoingHttpHeaders)['Impersonate-User']).toBe('someone');
  });

  it('merges several KUBECONFIG files with client-node; the first current-context wins', async () => {
    const dir = tempDir();
    const a = write(
      join(dir, 'a'),
      stringify({
        clusters: [{ name: 'a', cluster: { server: 'https://a:1' } }],
        contexts: [{ name: 'a', context: { cluster: 'a' } }],
        'current-context': 'a',
      }),
    );
    const b = write(
      join(dir, 'b'),
      stringify({
        clusters: [{ name: 'b', cluster: { server: 'https://b:1' } }],
        contexts: [{ name: 'b', context: { cluster: 'b' } }],
        'current-context': 'b',
      }),
    );
    const env = { KUBECONFIG: `${a}:${b}` };
    const merged = await loadClusterCredentials({ env });
    expect(merged).toBeInstanceOf(KubeConfig);
    expect(merged.getCurrentCluster()?.server).toBe('https://a:1');
    const dev = await loadClusterCredentials({ env, context: 'b' });
    expect(dev.getCurrentCluster()?.server).toBe('https://b:1');
    const err = await failure(loadClusterCredentials({ env, context: 'c' }));
    expect(err.message).toBe(`kubeconfig ${a}:${b}: context "c" is not defined`);
  });

  it('never imports client-node for the kubeconfigs it reads itself', async () => {
    const dir = tempDir();
    write(join(dir, 'ca.crt'), CA);
    const plain = kubeconfig(join(dir, 'plain'), {
      cluster: { 'certificate-authority': '../ca.crt' },
      user: { token: 't' },
    });
    const oidc = kubeconfig(join(dir, 'oidc'), {
      user: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } },
    });
    // The child fails any import of client-node; the oidc run shows that it does.
    const hook = pathToFileURL(
      write(
        join(dir, 'no-client-node.mjs'),
        `export async function resolve(specifier, context, next) {
           if (specifier.startsWith('@kubernetes/client-node')) throw new Error('client-node imported');
           return next(specifier, context);
         }`,
      ),
    ).href;
    const loader = fileURLToPath(new URL('./kubeconfig.ts', import.meta.url));
    const run = (path: string) =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { register } from 'node:module';
           register(${JSON.stringify(hook)});
           const { loadClusterCredentials } = await import(${JSON.stringify(pathToFileURL(loader).href)});
           const creds = await loadClusterCredentials({ path: ${JSON.stringify(path)} });
           const options = {};
           await creds.applyToHTTPSOptions(options);
           console.log(options.headers.Authorization);`,
        ],
        { cwd: fileURLToPath(new URL('..', import.meta.url)) },
      );
    expect((await run(plain)).stdout.trim()).toBe('Bearer t');
    await expect(run(oidc)).rejects.toThrow(/client-node imported/);
  });
});

describe('loadClusterCredentials: errors name the file, the entry and the field', () => {
  it('names a user or cluster the context refers to but nobody defines', async () => {
    const dir = tempDir();
    const path = kubeconfig(dir, {
      extra: {
        contexts: [{ name: 'dev', context: { cluster: 'local', user: 'bob' } }],
        'current-context': 'dev',
      },
    });
    const err = await failure(loadClusterCredentials({ path }));
    expect(err.message).toBe(
      `kubeconfig ${path}: context "dev" names user "bob", which is not defined`,
    );
    expect(err).toMatchObject({ file: path, field: 'users', code: 'INVALID_OPTION' });

    const noCluster = kubeconfig(join(dir, 'c'), {
      extra: {
        contexts: [{ name: 'dev', context: { cluster: 'gone' } }],
        'current-context': 'dev',
      },
    });
    expect((await failure(loadClusterCredentials({ path: noCluster }))).message).toBe(
      `kubeconfig ${noCluster}: context "dev" names cluster "gone", which is not defined`,
    );

    const noCurrent = kubeconfig(join(dir, 'n'), { extra: { 'current-context': 'ghost' } });
    expect((await failure(loadClusterCredentials({ path: noCurrent }))).message).toBe(
      `kubeconfig ${noCurrent}: current-context "ghost" is not defined in contexts`,
    );
  });

  it('names unreadable files and the field that names them', async () => {
    const dir = tempDir();
    const path = kubeconfig(dir, { cluster: { 'certificate-authority': 'missing/ca.crt' } });
    const err = await failure(loadClusterCredentials({ path }));
    expect(err.message).toBe(
      `kubeconfig ${path}: cluster "local": certificate-authority ${join(dir, 'missing', 'ca.crt')}: cannot read: ENOENT`,
    );
    expect(err.field).toBe('clusters[local].certificate-authority');

    write(join(dir, 'empty-token'), '\n');
    const emptyToken = kubeconfig(join(dir, 't'), { user: { tokenFile: '../empty-token' } });
    expect((await failure(loadClusterCredentials({ path: emptyToken }))).field).toBe(
      'users[me].tokenFile',
    );

    const absent = join(dir, 'no-such-kubeconfig');
    expect((await failure(loadClusterCredentials({ path: absent }))).message).toBe(
      `kubeconfig ${absent}: cannot read: ENOENT`,
    );
  });

  it('rejects malformed fields', async () => {
    const dir = tempDir();
    let n = 0;
    const bad = async (entries: Entries) => {
      const err = await failure(
        loadClusterCredentials({ path: kubeconfig(join(dir, String(n++)), entries) }),
      );
      return { field: err.field, message: err.message.replace(/^kubeconfig \S+: /, '') };
    };
    expect(await bad({ cluster: { 'certificate-authority-data': 'not base64!' } })).toEqual({
      field: 'clusters[local].certificate-authority-data',
      message: 'cluster "local": certificate-authority-data is not base64',
    });
    expect(
      await bad({
        user: { 'client-key-data': b64('no pem here'), 'client-certificate-data': b64(CERT) },
      }),
    ).toEqual({
      field: 'users[me].client-key-data',
      message: 'user "me": client-key-data does not hold a PEM block',
    });
    expect(await bad({ user: { 'client-certificate-data': b64(CERT) } })).toEqual({
      field: 'users[me].client-key',
      message: 'user "me": has a client certificate but no client key',
    });
    expect(await bad({ cluster: { 'insecure-skip-tls-verify': 'yes' } })).toEqual({
      field: 'clusters[local].insecure-skip-tls-verify',
      message: 'cluster "local": insecure-skip-tls-verify must be true or false',
    });
    expect(
      await bad({
        cluster: { 'certificate-authority': 'ca', 'certificate-authority-data': b64(CA) },
      }),
    ).toMatchObject({ field: 'clusters[local].certificate-authority-data' });
    expect(await bad({ cluster: { server: 'not a url' } })).toEqual({
      field: 'clusters[local].server',
      message: 'cluster "local": server not a url is not a URL',
    });
    expect(await bad({ user: { username: 'u', password: 'p', token: 't' } })).toMatchObject({
      field: 'users[me].username',
    });
    expect(await bad({ user: { token: 'line\nbreak' } })).toMatchObject({
      field: 'users[me].token',
    });
    expect(
      await bad({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1' } } }),
    ).toEqual({
      field: 'users[me].exec.command',
      message: 'user "me": exec.command is not set',
    });

    const notYaml = write(join(dir, 'broken'), 'clusters: [\n');
    expect((await failure(loadClusterCredentials({ path: notYaml }))).message).toMatch(
      new RegExp(`^kubeconfig ${notYaml}: is not valid YAML`),
    );
    const empty = write(join(dir, 'empty'), '');
    expect((await failure(loadClusterCredentials({ path: empty }))).message).toBe(
      `kubeconfig ${empty}: is empty`,
    );
  });
});

describe('loadClusterCredentials: exec credential plugins', () => {
  const V1 = 'client.authentication.k8s.io/v1';
  // The plugin: answers as PLUGIN_MODE says, counts its runs in PLUGIN_LOG, records its
  // environment in PLUGIN_ENV_OUT.
  const pluginDir = tempDir();
  const plugin = write(
    join(pluginDir, 'plugin.mjs'),
    `import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
     const env = process.env;
     appendFileSync(env.PLUGIN_LOG, 'x');
     const run = readFileSync(env.PLUGIN_LOG, 'utf8').length;
     if (env.PLUGIN_ENV_OUT) writeFileSync(env.PLUGIN_ENV_OUT, JSON.stringify({ args: process.argv.slice(2), env }));
     const status = {};
     switch (env.PLUGIN_MODE) {
       case 'fail': process.stderr.write('no credentials for you\\n'); process.exit(3);
       case 'garbage': process.stdout.write('<html>'); process.exit(0);
       case 'hang': setTimeout(() => {}, 60_000); break;
       case 'cert': status.clientCertificateData = ${JSON.stringify(CERT)}; status.clientKeyData = ${JSON.stringify(KEY)}; break;
       case 'old': status.token = 'tok-' + run; status.expirationTimestamp = new Date(Date.now() - 1000).toISOString(); break;
       case 'fresh': status.token = 'tok-' + run; status.expirationTimestamp = new Date(Date.now() + 3600_000).toISOString(); break;
       default: status.token = 'tok-' + run;
     }
     if (env.PLUGIN_MODE !== 'hang') {
       process.stdout.write(JSON.stringify({ apiVersion: env.PLUGIN_VERSION ?? '${V1}', kind: 'ExecCredential', status }));
     }`,
  );

  let n = 0;
  const setup = (
    mode: string,
    {
      exec = {},
      cluster = {},
      env = [],
    }: {
      exec?: Record<string, unknown>;
      cluster?: Record<string, unknown>;
      env?: { name: string; value: string }[];
    } = {},
  ) => {
    const dir = join(pluginDir, `case-${n++}`);
    const log = write(join(dir, 'runs'), '');
    const envOut = join(dir, 'env.json');
    const path = kubeconfig(dir, {
      cluster,
      user: {
        exec: {
          apiVersion: V1,
          command: process.execPath,
          args: [plugin, '--flag'],
          env: [
            { name: 'PLUGIN_MODE', value: mode },
            { name: 'PLUGIN_LOG', value: log },
            { name: 'PLUGIN_ENV_OUT', value: envOut },
            ...env,
          ],
          interactiveMode: 'Never',
          ...exec,
        },
      },
    });
    return {
      dir,
      path,
      runs: () => readFileSync(log, 'utf8').length,
      seen: () =>
        JSON.parse(readFileSync(envOut, 'utf8')) as { args: string[]; env: Record<string, string> },
    };
  };
  const load = (path: string, extra: { execTimeoutMs?: number } = {}) =>
    loadClusterCredentials({
      path,
      env: { PATH: process.env['PATH'], FROM_PARENT: 'inherited' },
      ...extra,
    });
  const V1BETA1 = { name: 'PLUGIN_VERSION', value: 'client.authentication.k8s.io/v1beta1' };

  it('runs the command with its args and env; KUBERNETES_EXEC_INFO says non-interactive', async () => {
    const c = setup('token', {
      exec: { provideClusterInfo: true },
      cluster: { 'certificate-authority-data': b64(CA) },
    });
    const creds = await load(c.path);
    expect(c.runs()).toBe(0); // not at load: client-node runs it on first use too
    expect(authorization(await applied(creds))).toBe('Bearer tok-1');
    const { args, env } = c.seen();
    expect(args).toEqual(['--flag']);
    expect(env['FROM_PARENT']).toBe('inherited');
    expect(JSON.parse(env['KUBERNETES_EXEC_INFO']!)).toEqual({
      apiVersion: V1,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64(CA) },
      },
    });
  });

  it('caches the answer until expirationTimestamp; one run serves concurrent callers', async () => {
    const fresh = setup('fresh');
    const creds = await load(fresh.path);
    const tokens = await Promise.all([applied(creds), applied(creds), applied(creds)]);
    expect(tokens.map(authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
    expect(authorization(await applied(creds))).toBe('Bearer tok-1');
    expect(fresh.runs()).toBe(1);

    const expired = await load(setup('old').path);
    expect(authorization(await applied(expired))).toBe('Bearer tok-1');
    expect(authorization(await applied(expired))).toBe('Bearer tok-2');

    // Without expirationTimestamp: asked again on every call, as client-node does.
    const uncached = await load(setup('token').path);
    await applied(uncached);
    expect(authorization(await applied(uncached))).toBe('Bearer tok-2');
  });

  it('takes a client certificate and key from the plugin; v1beta1 works too', async () => {
    const c = setup('cert', {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1' },
      env: [V1BETA1],
    });
    const options = await applied(await load(c.path));
    expect(options).toMatchObject({ cert: CERT, key: KEY });
    expect(options.headers).toBeUndefined();
  });

  it('resolves a command with a path against the kubeconfig directory', async () => {
    const c = setup('token', { exec: { command: './bin/plugin.sh' } });
    const script = write(
      join(c.dir, 'bin', 'plugin.sh'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`,
    );
    chmodSync(script, 0o755);
    expect(authorization(await applied(await load(c.path)))).toBe('Bearer tok-1');
    expect(c.seen().args).toEqual(['--flag']);
  });

  it('fails with ExecCredentialError naming the user, the command and what went wrong', async () => {
    const failing = await load(setup('fail').path);
    const err: unknown = await failing.applyToHTTPSOptions({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecCredentialError);
    expect(err).toMatchObject({
      command: process.execPath,
      user: 'me',
      field: 'users[me].exec',
      stderr: 'no credentials for you',
    });
    expect((err as Error).message).toMatch(
      /: user "me": exec plugin \S+: exited with code 3: no credentials for you$/,
    );

    const garbage = await load(setup('garbage').path);
    await expect(garbage.applyToHTTPSOptions({})).rejects.toThrow(/printed no JSON ExecCredential/);

    const mismatch = await load(setup('token', { env: [V1BETA1] }).path);
    await expect(mismatch.applyToHTTPSOptions({})).rejects.toThrow(
      'printed apiVersion client.authentication.k8s.io/v1beta1; the kubeconfig asks for client.authentication.k8s.io/v1',
    );

    const hanging = await load(setup('hang').path, { execTimeoutMs: 300 });
    await expect(hanging.applyToHTTPSOptions({})).rejects.toThrow(/no answer within 300 ms/);

    const missing = await load(
      setup('token', {
        exec: { command: 'lynq-no-such-plugin', installHint: 'install it from example.test' },
      }).path,
    );
    await expect(missing.applyToHTTPSOptions({})).rejects.toThrow(
      /exec plugin lynq-no-such-plugin: cannot start: ENOENT\ninstall it from example.test/,
    );
  });
});
