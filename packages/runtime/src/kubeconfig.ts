import { access, readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import type * as https from 'node:https';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from './errors.js';
import {
  EXEC_API_VERSIONS,
  ExecCredentialSource,
  unsafeInHeader,
  isMapping,
  type ExecPlugin,
} from './exec-credential.js';
import { KubeconfigError, type CredentialSource } from './kubeconfig-error.js';

/** The cluster of the current context, as RestClient needs it. */
export interface CurrentCluster {
  readonly name: string;
  /** The API server URL, without a trailing slash. */
  readonly server: string;
  readonly proxyUrl?: string;
  readonly skipTLSVerify?: boolean;
}

/**
 * Credentials for one cluster: what RestClient (and the applier's KubeClient) need of a
 * kubeconfig. client-node's KubeConfig satisfies it too, so either may be passed.
 */
export interface ClusterCredentials {
  /** The current context's cluster, or null when there is none. */
  getCurrentCluster(): CurrentCluster | null;
  /**
   * Puts the TLS material (ca, cert, key, servername, rejectUnauthorized) and the Authorization
   * header into `options`. Files, token files and exec plugins are read again on each call
   * (certificates and projected tokens rotate); callers call it periodically and after a 401.
   */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

export interface LoadClusterCredentialsOptions {
  /** The kubeconfig file. Default: $KUBECONFIG, then in-cluster, then ~/.kube/config. */
  path?: string;
  /** Use this context instead of the file's current-context (never in-cluster then). */
  context?: string;
  /** Where a pod's service-account token, ca.crt and namespace are. Default SERVICE_ACCOUNT_DIR. */
  serviceAccountDir?: string;
  /**
   * Environment for KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT and HOME, and the base of exec
   * plugins' environment. Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** An exec credential plugin that has not answered after this long is killed. Default 30 s. */
  execTimeoutMs?: number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the credentials of a kubeconfig's current context (or of `options.context`), choosing the
 * source as controller-runtime does: `options.path`; else $KUBECONFIG; else the pod's service
 * account (KUBERNETES_SERVICE_HOST/PORT set and a token present); else ~/.kube/config.
 *
 * Certificates (files or data), insecure-skip-tls-verify, tls-server-name, tokens, token files,
 * basic auth and exec plugins (client.authentication.k8s.io/v1, v1beta1) are handled here without
 * client-node, whose import costs about a second and 70 MB. Anything else (auth-provider,
 * proxy-url, impersonation, older exec versions, several files in $KUBECONFIG) is handed to
 * client-node's KubeConfig, imported only then. Relative paths resolve against the kubeconfig
 * file's directory, as in kubectl.
 *
 * Throws KubeconfigError naming the file and the field when the kubeconfig cannot be used.
 */
export async function loadClusterCredentials(
  options: LoadClusterCredentialsOptions = {},
): Promise<ClusterCredentials> {
  const env = options.env ?? process.env;
  if (options.path !== undefined) return fromFile(options.path, options);
  const files = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (files.length === 1) return fromFile(files[0]!, options);
  if (files.length > 1) return mergedFiles(files, options);
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '';
  // An explicit context means "from a kubeconfig" (controller-runtime skips in-cluster then too).
  if (
    options.context === undefined &&
    host !== '' &&
    port !== '' &&
    (await exists(join(saDir, 'token')))
  ) {
    return inCluster(saDir, host, port);
  }
  const home = env['HOME'] ?? env['USERPROFILE'] ?? '';
  const homeConfig = home === '' ? '' : join(home, '.kube', 'config');
  if (homeConfig !== '' && (await exists(homeConfig))) return fromFile(homeConfig, options);
  throw new KubeconfigError(
    { kind: 'kubeconfig', file: homeConfig || '~/.kube/config' },
    '',
    `not found: no path given, KUBECONFIG unset, not in a pod (KUBERNETES_SERVICE_HOST/PORT unset or no ${join(saDir, 'token')})`,
  );
}

/** PEM material: inline (decoded once) or a file (read on every use, it may be rotated). */
type Pem =
  | { readonly field: string; readonly label: string; readonly data: Buffer }
  | { readonly field: string; readonly label: string; readonly path: string };

interface TokenFile {
  readonly field: string;
  readonly label: string;
  readonly path: string;
}

interface ResolvedCluster {
  readonly name: string;
  readonly server: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName: string | undefined;
  readonly ca: Pem | undefined;
}

interface ResolvedUser {
  readonly cert: Pem | undefined;
  readonly key: Pem | undefined;
  readonly token: string | undefined;
  readonly tokenFile: TokenFile | undefined;
  /** base64 of `username:password`. */
  readonly basic: string | undefined;
  readonly exec: ExecCredentialSource | undefined;
}

/** TLS material and the Authorization header, read from files and data (not from exec). */
interface Material {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  fileToken: string | undefined;
}

class KubeconfigCredentials implements ClusterCredentials {
  private readonly current: CurrentCluster;

  constructor(
    private readonly source: CredentialSource,
    private readonly cluster: ResolvedCluster,
    private readonly user: ResolvedUser,
  ) {
    this.current = Object.freeze({
      name: cluster.name,
      server: cluster.server,
      skipTLSVerify: cluster.skipTLSVerify,
    });
  }

  getCurrentCluster(): CurrentCluster {
    return this.current;
  }

  // The same fields client-node's applyToHTTPSOptions sets for these kubeconfigs, except that
  // basic auth goes into the Authorization header (client-node's `auth` option is not a header,
  // and RestClient sends only headers).
  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const { cluster, user } = this;
    const [material, exec] = await Promise.all([this.material(), user.exec?.credential()]);
    if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName !== undefined) options.servername = cluster.tlsServerName;
    if (material.ca !== undefined) options.ca = material.ca;
    if (material.cert !== undefined) options.cert = material.cert;
    if (material.key !== undefined) options.key = material.key;
    if (exec?.clientCertificateData !== undefined) options.cert = exec.clientCertificateData;
    if (exec?.clientKeyData !== undefined) options.key = exec.clientKeyData;
    // A token in the kubeconfig wins over the plugin's, as in client-node; tokenFile over token,
    // as in client-go (the file is the one that rotates).
    const token = material.fileToken ?? user.token ?? exec?.token;
    const authorization =
      token !== undefined
        ? `Bearer ${token}`
        : user.basic !== undefined
          ? `Basic ${user.basic}`
          : undefined;
    if (authorization !== undefined) {
      const headers: OutgoingHttpHeaders =
        options.headers === undefined || Array.isArray(options.headers)
          ? {}
          : (options.headers as OutgoingHttpHeaders);
      options.headers = { ...headers, Authorization: authorization };
    }
  }

  /** Reads every file the credentials name; loading calls it once to fail early. */
  async material(): Promise<Material> {
    const { cluster, user, source } = this;
    const [ca, cert, key, fileToken] = await Promise.all([
      readPem(source, cluster.ca),
      readPem(source, user.cert),
      readPem(source, user.key),
      readToken(source, user.tokenFile),
    ]);
    return { ca, cert, key, fileToken };
  }
}

async function fromFile(
  file: string,
  options: LoadClusterCredentialsOptions,
): Promise<ClusterCredentials> {
  const path = resolve(file);
  const source: CredentialSource = { kind: 'kubeconfig', file: path };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KubeconfigError(source, '', `cannot read: ${errorCode(err)}`, { cause: err });
  }
  // Imported here, not at the top: a pod's in-cluster credentials need no YAML (~8 MB, ~50 ms).
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(source, '', `is not valid YAML: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (doc === null || doc === undefined) throw new KubeconfigError(source, '', 'is empty');
  if (!isMapping(doc)) {
    throw new KubeconfigError(
      source,
      '',
      'is not a kubeconfig (a mapping of clusters, users, contexts)',
    );
  }
  const root = new Entry(source, '', '', doc);
  const contextName = options.context ?? root.string('current-context');
  if (contextName === undefined) {
    throw root.error('current-context', 'sets no current-context (and no context was asked for)');
  }
  const context = lookup(root, 'contexts', contextName, () =>
    options.context !== undefined
      ? `context "${contextName}" is not defined`
      : `current-context "${contextName}" is not defined in contexts`,
  );
  const clusterName = context.string('cluster');
  if (clusterName === undefined) {
    throw context.error('cluster', `context "${contextName}" names no cluster`);
  }
  const cluster = lookup(
    root,
    'clusters',
    clusterName,
    () => `context "${contextName}" names cluster "${clusterName}", which is not defined`,
  );
  const userName = context.string('user');
  const user =
    userName === undefined
      ? undefined
      : lookup(
          root,
          'users',
          userName,
          () => `context "${contextName}" names user "${userName}", which is not defined`,
        );
  const unsupported = unsupportedField(cluster, user);
  if (unsupported !== undefined) {
    return clientNodeCredentials(source, unsupported, options.context, (kc) =>
      kc.loadFromFile(path),
    );
  }
  return credentials(source, resolveCluster(cluster, dirname(path)), user, dirname(path), options);
}

/** The first field this loader leaves to client-node, if the selected cluster or user has one. */
function unsupportedField(cluster: Entry, user: Entry | undefined): string | undefined {
  if (cluster.has('proxy-url')) return cluster.path('proxy-url');
  if (user === undefined) return undefined;
  for (const key of ['auth-provider', 'as', 'as-uid', 'as-groups', 'as-user-extra']) {
    if (user.has(key)) return user.path(key);
  }
  const exec = user.value('exec');
  if (isMapping(exec) && !EXEC_API_VERSIONS.has(String(exec['apiVersion']))) {
    return `${user.path('exec.apiVersion')} ${String(exec['apiVersion'])}`;
  }
  return undefined;
}

function resolveCluster(cluster: Entry, dir: string): ResolvedCluster {
  const server = cluster.string('server');
  if (server === undefined) throw cluster.error('server', `${cluster.label}: server is not set`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw cluster.error('server', `${cluster.label}: server ${server} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw cluster.error('server', `${cluster.label}: server ${server} is not http(s)`);
  }
  return {
    name: cluster.name,
    // client-node drops one trailing slash; RestClient joins paths to it.
    server: server.replace(/\/$/, ''),
    skipTLSVerify: cluster.boolean('insecure-skip-tls-verify') ?? false,
    tlsServerName: cluster.string('tls-server-name'),
    ca: pem(cluster, dir, 'certificate-authority', 'certificate-authority-data'),
  };
}

const ANONYMOUS: ResolvedUser = {
  cert: undefined,
  key: undefined,
  token: undefined,
  tokenFile: undefined,
  basic: undefined,
  exec: undefined,
};

async function credentials(
  source: CredentialSource,
  cluster: ResolvedCluster,
  user: Entry | undefined,
  dir: string,
  options: LoadClusterCredentialsOptions,
): Promise<ClusterCredentials> {
  const resolved = user === undefined ? ANONYMOUS : resolveUser(user, dir);
  const withoutExec = new KubeconfigCredentials(source, cluster, resolved);
  // Fail now, at start-up, on an unreadable or non-PEM file rather than at the first request.
  const material = await withoutExec.material();
  if (user === undefined || !user.has('exec')) return withoutExec;
  const exec = new ExecCredentialSource(
    execPlugin(user, cluster, material.ca, dir),
    source,
    user.name,
    options.env ?? process.env,
    options.execTimeoutMs ?? 30_000,
  );
  return new KubeconfigCredentials(source, cluster, { ...resolved, exec });
}

/** A user's certificates, token, token file and basic auth (the exec plugin comes later). */
function resolveUser(user: Entry, dir: string): ResolvedUser {
  const cert = pem(user, dir, 'client-certificate', 'client-certificate-data');
  const key = pem(user, dir, 'client-key', 'client-key-data');
  if ((cert === undefined) !== (key === undefined)) {
    const [has, lacks] = cert === undefined ? ['key', 'certificate'] : ['certificate', 'key'];
    throw user.error(
      cert === undefined ? 'client-certificate' : 'client-key',
      `${user.label}: has a client ${has} but no client ${lacks}`,
    );
  }
  const token = user.string('token');
  if (token !== undefined && unsafeInHeader(token)) {
    throw user.error('token', `${user.label}: token contains a line break or control character`);
  }
  // kubectl's field is tokenFile; client-node reads token-file (once, at load): accept both.
  const tokenFileKey = user.has('tokenFile') ? 'tokenFile' : 'token-file';
  const tokenFile = user.string(tokenFileKey);
  const username = user.string('username');
  const password = user.string('password');
  const basic = username !== undefined || password !== undefined;
  if (basic && (token !== undefined || tokenFile !== undefined || user.has('exec'))) {
    throw user.error(
      'username',
      `${user.label}: sets username/password and a token or exec plugin; kubectl allows one of them`,
    );
  }
  return {
    cert,
    key,
    token,
    tokenFile:
      tokenFile === undefined
        ? undefined
        : {
            field: user.path(tokenFileKey),
            label: `${user.label}: ${tokenFileKey}`,
            path: resolve(dir, tokenFile),
          },
    basic: basic
      ? Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')
      : undefined,
    exec: undefined,
  };
}

function execPlugin(
  user: Entry,
  cluster: ResolvedCluster,
  ca: Buffer | undefined,
  dir: string,
): ExecPlugin {
  const exec = user.child('exec');
  const command = exec.string('command');
  if (command === undefined) throw exec.error('command', `${user.label}: exec.command is not set`);
  const args = exec.value('args') ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw exec.error('args', `${user.label}: exec.args must be a list of strings`);
  }
  const envList = exec.value('env') ?? [];
  const env: { name: string; value: string }[] = [];
  if (!Array.isArray(envList)) throw exec.error('env', `${user.label}: exec.env must be a list`);
  for (const [i, item] of envList.entries()) {
    if (!isMapping(item) || typeof item['name'] !== 'string' || typeof item['value'] !== 'string') {
      throw exec.error(
        `env[${i}]`,
        `${user.label}: exec.env[${i}] must have string name and value`,
      );
    }
    env.push({ name: item['name'], value: item['value'] });
  }
  const apiVersion = exec.string('apiVersion');
  if (apiVersion === undefined) {
    throw exec.error('apiVersion', `${user.label}: exec.apiVersion is not set`);
  }
  return {
    // As kubectl: a command with a path separator is a file relative to the kubeconfig; a bare
    // name is looked up on PATH.
    command: command.includes(sep) || command.includes('/') ? resolve(dir, command) : command,
    args,
    env,
    apiVersion,
    installHint: exec.string('installHint'),
    cluster: exec.boolean('provideClusterInfo') === true ? execClusterInfo(cluster, ca) : undefined,
  };
}

/** `spec.cluster` of KUBERNETES_EXEC_INFO, as client-go fills it. */
function execClusterInfo(
  cluster: ResolvedCluster,
  ca: Buffer | undefined,
): Record<string, unknown> {
  return {
    server: cluster.server,
    ...(cluster.tlsServerName !== undefined ? { 'tls-server-name': cluster.tlsServerName } : {}),
    ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(ca !== undefined ? { 'certificate-authority-data': ca.toString('base64') } : {}),
  };
}

async function inCluster(dir: string, host: string, port: string): Promise<ClusterCredentials> {
  const source: CredentialSource = { kind: 'in-cluster config', file: dir };
  // Always https, as client-go (client-node picks http for ports 80/8080/8001, then refuses it).
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const credentials = new KubeconfigCredentials(
    source,
    {
      name: 'inCluster',
      server,
      skipTLSVerify: false,
      tlsServerName: undefined,
      ca: { field: 'ca.crt', label: 'ca.crt', path: join(dir, 'ca.crt') },
    },
    { ...ANONYMOUS, tokenFile: { field: 'token', label: 'token', path: join(dir, 'token') } },
  );
  await credentials.material();
  return credentials;
}

/** Several files in $KUBECONFIG: merged by client-node (this loader reads one file). */
function mergedFiles(
  files: string[],
  options: LoadClusterCredentialsOptions,
): Promise<ClusterCredentials> {
  const source: CredentialSource = { kind: 'kubeconfig', file: files.join(delimiter) };
  return clientNodeCredentials(source, 'several KUBECONFIG files', options.context, (kc, Kc) => {
    kc.loadFromFile(files[0]!);
    for (const file of files.slice(1)) {
      const next = new Kc();
      next.loadFromFile(file);
      // The first file that sets current-context wins, as in kubectl.
      kc.mergeConfig(next, (kc.getCurrentContext() ?? '') !== '');
    }
  });
}

async function clientNodeCredentials(
  source: CredentialSource,
  reason: string,
  context: string | undefined,
  load: (kc: KubeConfig, Kc: typeof KubeConfig) => void,
): Promise<ClusterCredentials> {
  // Only here: importing client-node loads every generated model (~1 s, ~70 MB).
  const { KubeConfig: Kc } = await import('@kubernetes/client-node');
  const kc = new Kc();
  try {
    load(kc, Kc);
  } catch (err) {
    throw new KubeconfigError(
      source,
      '',
      `cannot be loaded (by client-node, for ${reason}): ${errorMessage(err)}`,
      { cause: err },
    );
  }
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) {
      throw new KubeconfigError(source, 'contexts', `context "${context}" is not defined`);
    }
    kc.setCurrentContext(context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeconfigError(
      source,
      'current-context',
      `current-context "${kc.getCurrentContext()}" names no defined cluster`,
    );
  }
  return kc;
}

/** A cluster/user/context entry of a kubeconfig (or its root), reading typed fields. */
class Entry {
  constructor(
    readonly source: CredentialSource,
    /** The entry's field path, e.g. `users[bob]`; empty for the root. */
    private readonly prefix: string,
    /** How messages name the entry, e.g. `user "bob"`. */
    readonly label: string,
    private readonly fields: Record<string, unknown>,
    readonly name = '',
  ) {}

  path(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }

  error(key: string, detail: string, cause?: unknown): KubeconfigError {
    return new KubeconfigError(
      this.source,
      this.path(key),
      detail,
      cause === undefined ? undefined : { cause },
    );
  }

  value(key: string): unknown {
    return this.fields[key];
  }

  /** Set to something other than null or "" (kubectl treats those as unset). */
  has(key: string): boolean {
    const v = this.fields[key];
    return v !== undefined && v !== null && v !== '';
  }

  string(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.fields[key];
    if (typeof v !== 'string') throw this.error(key, `${this.where(key)} must be a string`);
    return v;
  }

  boolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const v = this.fields[key];
    if (typeof v !== 'boolean') throw this.error(key, `${this.where(key)} must be true or false`);
    return v;
  }

  child(key: string): Entry {
    const v = this.fields[key];
    if (!isMapping(v)) throw this.error(key, `${this.where(key)} must be a mapping`);
    return new Entry(this.source, this.path(key), this.label, v, this.name);
  }

  private where(key: string): string {
    return this.label === '' ? key : `${this.label}: ${key}`;
  }
}

/** The entry `name` of the list `list` (clusters, users, contexts), its body as an Entry. */
function lookup(
  root: Entry,
  list: 'clusters' | 'users' | 'contexts',
  name: string,
  missing: () => string,
): Entry {
  const kind = list.slice(0, -1);
  const items = root.value(list) ?? [];
  if (!Array.isArray(items)) throw root.error(list, `${list} must be a list`);
  let found: Record<string, unknown> | undefined;
  for (const [i, item] of items.entries()) {
    if (!isMapping(item)) throw root.error(`${list}[${i}]`, `${list}[${i}] must be a mapping`);
    if (item['name'] !== name) continue;
    if (found !== undefined) throw root.error(`${list}[${name}]`, `${list} has "${name}" twice`);
    found = item;
  }
  if (found === undefined) throw root.error(list, missing());
  const body = found[kind] ?? {};
  if (!isMapping(body)) {
    throw root.error(`${list}[${name}].${kind}`, `${kind} "${name}": ${kind} must be a mapping`);
  }
  return new Entry(root.source, `${list}[${name}]`, `${kind} "${name}"`, body, name);
}

/** A file field or a base64 data field holding PEM (both set is an error, as in kubectl). */
function pem(entry: Entry, dir: string, fileKey: string, dataKey: string): Pem | undefined {
  const file = entry.string(fileKey);
  const data = entry.string(dataKey);
  if (file !== undefined && data !== undefined) {
    throw entry.error(dataKey, `${entry.label}: both ${fileKey} and ${dataKey} are set; keep one`);
  }
  if (file !== undefined) {
    return {
      field: entry.path(fileKey),
      label: `${entry.label}: ${fileKey}`,
      path: resolve(dir, file),
    };
  }
  if (data === undefined) return undefined;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(data)) {
    throw entry.error(dataKey, `${entry.label}: ${dataKey} is not base64`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (!isPem(bytes)) {
    throw entry.error(dataKey, `${entry.label}: ${dataKey} does not hold a PEM block`);
  }
  return { field: entry.path(dataKey), label: `${entry.label}: ${dataKey}`, data: bytes };
}

async function readPem(
  source: CredentialSource,
  pem: Pem | undefined,
): Promise<Buffer | undefined> {
  if (pem === undefined) return undefined;
  if ('data' in pem) return pem.data;
  let bytes: Buffer;
  try {
    bytes = await readFile(pem.path);
  } catch (err) {
    throw new KubeconfigError(
      source,
      pem.field,
      `${pem.label} ${pem.path}: cannot read: ${errorCode(err)}`,
      {
        cause: err,
      },
    );
  }
  if (!isPem(bytes)) {
    throw new KubeconfigError(source, pem.field, `${pem.label} ${pem.path}: holds no PEM block`);
  }
  return bytes;
}

async function readToken(
  source: CredentialSource,
  file: TokenFile | undefined,
): Promise<string | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file.path, 'utf8');
  } catch (err) {
    throw new KubeconfigError(
      source,
      file.field,
      `${file.label} ${file.path}: cannot read: ${errorCode(err)}`,
      {
        cause: err,
      },
    );
  }
  // client-go trims: token files usually end with a newline, which a header must not contain.
  const token = text.trim();
  if (token === '')
    throw new KubeconfigError(source, file.field, `${file.label} ${file.path}: is empty`);
  if (unsafeInHeader(token)) {
    throw new KubeconfigError(
      source,
      file.field,
      `${file.label} ${file.path}: contains a line break or control character`,
    );
  }
  return token;
}

function isPem(bytes: Buffer): boolean {
  return bytes.includes('-----BEGIN ');
}

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : errorMessage(err);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
