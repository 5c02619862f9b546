import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { resolveBinaries, type Binaries, type Profile } from './binaries.js';
import { ensurePki, pkiFiles, renderKubeconfig, type Pki } from './certs.js';
import { TestkitError, errorMessage } from './errors.js';
import { clusterPaths, type ClusterPaths } from './paths.js';
import {
  freePorts,
  httpGet,
  isOurProcess,
  listensOn,
  rssKiB,
  startDetached,
  stopProcess,
  waitFor,
  type ProcessRecord,
} from './proc.js';

export type Component =
  'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

/** Start order; stop order is the reverse. */
export const COMPONENTS: readonly Component[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];
const FULL_ONLY: readonly Component[] = ['kube-controller-manager', 'kube-scheduler', 'kwok'];

/** Controllers the full profile runs: enough for Deployments, Jobs, GC and namespaces to progress. */
export const CONTROLLERS = [
  'garbage-collector-controller',
  'namespace-controller',
  // Lifts the node.kubernetes.io/not-ready taint the API server puts on new Nodes once kwok reports
  // them Ready (and renews their Leases); without it nothing is ever scheduled.
  'node-lifecycle-controller',
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'pod-garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'disruption-controller',
  'clusterrole-aggregation-controller',
  'persistentvolumeclaim-protection-controller',
  'persistentvolume-protection-controller',
] as const;

export const FAKE_NODE_COUNT = 3;
/**
 * Pods each fake node holds (capacity = allocatable). 3 × 4,000: scale runs of 10,000 rows with a
 * one-replica Deployment each must not run out of room (a kubelet's default of 110 held 330).
 */
export const FAKE_NODE_PODS = 4000;
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export interface ClusterState {
  version: 1;
  profile: Profile;
  /** `cli`: started (or adopted) by `npm run cluster -- up`, never stopped by a test run. */
  owner: 'cli' | 'test-run';
  server: string;
  ports: Ports;
  binaries: Binaries;
  startedAt: string;
}

export interface UpResult {
  state: ClusterState;
  kubeconfig: string;
  /** False when a healthy cluster was already running and was reused. */
  started: boolean;
  ms: number;
}

function log(message: string): void {
  if (process.env['LYNQ_TESTKIT_QUIET'] !== '1') process.stderr.write(`lynq testkit: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// State and PID files

function readState(paths: ClusterPaths): ClusterState | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

function writeState(paths: ClusterPaths, state: ClusterState): void {
  writeFileSync(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function pidFile(paths: ClusterPaths, component: Component): string {
  return join(paths.pidDir, `${component}.json`);
}

export function readRecord(paths: ClusterPaths, component: Component): ProcessRecord | undefined {
  const file = pidFile(paths, component);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(paths: ClusterPaths, component: Component, record: ProcessRecord): void {
  mkdirSync(paths.pidDir, { recursive: true });
  writeFileSync(pidFile(paths, component), `${JSON.stringify(record)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Lock: one process at a time starts, stops or changes the cluster (tests of several packages
// may run in parallel and all want the same control plane).

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(
  paths: ClusterPaths,
  fn: () => Promise<T>,
  timeoutMs = 90 * 60_000,
): Promise<T> {
  mkdirSync(paths.root, { recursive: true });
  const owner = join(paths.lockDir, 'owner');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(paths.lockDir);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(owner, 'utf8'));
    } catch {
      holder = 0;
    }
    const stale =
      holder > 0
        ? !pidAlive(holder)
        : Date.now() - (statSafe(paths.lockDir)?.mtimeMs ?? 0) > 10_000;
    if (stale) {
      rmSync(paths.lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`waiting for process ${holder} which is starting/stopping the cluster`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new TestkitError(
        'LOCK_TIMEOUT',
        `cluster lock ${paths.lockDir} held by ${holder} for too long`,
      );
    }
    await delay(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lockDir, { recursive: true, force: true });
  }
}

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Component command lines

function componentExe(binaries: Binaries, component: Component): string {
  const exe = {
    etcd: binaries.etcd,
    'kube-apiserver': binaries.kubeApiserver,
    'kube-controller-manager': binaries.kubeControllerManager,
    'kube-scheduler': binaries.kubeScheduler,
    kwok: binaries.kwok,
  }[component];
  if (exe === undefined) {
    throw new TestkitError(
      'BINARY_MISSING',
      `no ${component} binary (KUBEBUILDER_ASSETS only covers the api profile)`,
    );
  }
  return exe;
}

export function componentArgs(
  component: Component,
  state: ClusterState,
  paths: ClusterPaths,
  pki: Pki,
): string[] {
  const { ports } = state;
  const loop = '127.0.0.1';
  switch (component) {
    case 'etcd':
      return [
        '--name=lynq',
        `--data-dir=${paths.etcdDataDir}`,
        `--listen-client-urls=http://${loop}:${ports.etcdClient}`,
        `--advertise-client-urls=http://${loop}:${ports.etcdClient}`,
        `--listen-peer-urls=http://${loop}:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://${loop}:${ports.etcdPeer}`,
        `--initial-cluster=lynq=http://${loop}:${ports.etcdPeer}`,
        // Test data is disposable: skip fsync, it makes etcd several times faster on shared disks.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=http://${loop}:${ports.etcdClient}`,
        `--bind-address=${loop}`,
        `--advertise-address=${loop}`,
        `--secure-port=${ports.apiserver}`,
        `--cert-dir=${join(paths.pkiDir, 'apiserver-generated')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        // A /16: scale tests create 10,000+ Services (a /24 holds 254).
        '--service-cluster-ip-range=10.0.0.0/16',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        // No kubelets: pods need no service-account token volumes, and the api profile has no
        // controller that would create the `default` ServiceAccount the plugin insists on.
        '--disable-admission-plugins=ServiceAccount',
        // /debug/pprof (for whom RBAC lets read /debug: the admin): how bench/e2e finds where the
        // API server's CPU goes.
        '--profiling=true',
      ];
    case 'kube-controller-manager':
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        `--bind-address=${loop}`,
        `--secure-port=${ports.controllerManager}`,
        `--cert-dir=${join(paths.pkiDir, 'kcm-generated')}`,
        `--controllers=${CONTROLLERS.join(',')}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=false',
        '--cluster-name=lynq-local',
        // client-go's defaults (20 qps, 5 workers per controller) would make the controllers, not
        // the API server or the client under test, the limit of scale runs (10,000 Deployments).
        '--kube-api-qps=400',
        '--kube-api-burst=800',
        '--concurrent-gc-syncs=10',
        '--concurrent-deployment-syncs=20',
        '--concurrent-replicaset-syncs=20',
        '--concurrent-endpoint-syncs=20',
        '--concurrent-service-endpoint-syncs=20',
      ];
    case 'kube-scheduler':
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--authentication-kubeconfig=${paths.kubeconfig}`,
        `--authorization-kubeconfig=${paths.kubeconfig}`,
        `--bind-address=${loop}`,
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        // The default 50 qps caps binding at about 50 pods/s (one binding POST per pod).
        '--kube-api-qps=400',
        '--kube-api-burst=800',
      ];
    case 'kwok':
      if (state.binaries.kwokStages === undefined) {
        throw new TestkitError(
          'BINARY_MISSING',
          'kwok stages file missing (run tools/control-plane/build.sh)',
        );
      }
      return [
        `--kubeconfig=${paths.kubeconfig}`,
        `--config=${state.binaries.kwokStages}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
        '--cidr=10.244.0.1/16',
        '--node-ip=10.1.0.1',
        '--node-lease-duration-seconds=40',
        `--server-address=${loop}:${ports.kwok}`,
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// Health checks

function tls(pki: Pki) {
  return {
    ca: readFileSync(pki.caCert),
    cert: readFileSync(pki.adminCert),
    key: readFileSync(pki.adminKey),
  };
}

/** The port a component's health is checked on. */
function componentPort(component: Component, state: ClusterState): number {
  const { ports } = state;
  switch (component) {
    case 'etcd':
      return ports.etcdClient;
    case 'kube-apiserver':
      return ports.apiserver;
    case 'kube-controller-manager':
      return ports.controllerManager;
    case 'kube-scheduler':
      return ports.scheduler;
    case 'kwok':
      return ports.kwok;
  }
}

export async function componentHealthy(
  component: Component,
  state: ClusterState,
  pki: Pki,
): Promise<boolean> {
  const port = componentPort(component, state);
  const ok = (status: number) => status === 200;
  switch (component) {
    case 'etcd': {
      const res = await httpGet(`http://127.0.0.1:${port}/health`);
      return ok(res.status) && res.body.includes('"health":"true"');
    }
    case 'kube-apiserver': {
      const res = await httpGet(`https://127.0.0.1:${port}/readyz`, tls(pki));
      return ok(res.status) && res.body.trim() === 'ok';
    }
    case 'kube-controller-manager':
    case 'kube-scheduler':
      return ok((await httpGet(`https://127.0.0.1:${port}/healthz`, { insecure: true })).status);
    case 'kwok':
      return ok((await httpGet(`http://127.0.0.1:${port}/healthz`)).status);
  }
}

/** The last lines of `file` written after byte `from` (what one start-up of a component wrote). */
function tail(file: string, from = 0, lines = 15): string {
  try {
    return readFileSync(file)
      .subarray(from)
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

const READY_TIMEOUT_MS: Record<Component, number> = {
  etcd: 30_000,
  'kube-apiserver': 120_000,
  'kube-controller-manager': 60_000,
  'kube-scheduler': 60_000,
  kwok: 60_000,
};

async function startComponent(
  component: Component,
  state: ClusterState,
  paths: ClusterPaths,
  pki: Pki,
): Promise<ProcessRecord> {
  mkdirSync(paths.logDir, { recursive: true });
  const logFile = join(paths.logDir, `${component}.log`);
  // Logs are kept across starts: only this start's lines explain a failure.
  const from = existsSync(logFile) ? statSync(logFile).size : 0;
  writeFileSync(logFile, `--- ${new Date().toISOString()} starting ${component}\n`, { flag: 'a' });
  const record = startDetached(
    componentExe(state.binaries, component),
    componentArgs(component, state, paths, pki),
    logFile,
  );
  writeRecord(paths, component, record);
  const port = componentPort(component, state);
  await waitFor(
    `${component} (pid ${record.pid})`,
    async () => {
      if (!(await componentHealthy(component, state, pki))) return false;
      // Healthy answers from a process that took the port first do not count. Should it outlive
      // our component's failed bind, the message lets up() start again on other ports.
      if (listensOn(record.pid, port) === false)
        throw new Error(
          `port ${port} answers, but not from pid ${record.pid}: address already in use`,
        );
      return true;
    },
    {
      timeoutMs: READY_TIMEOUT_MS[component],
      intervalMs: 250,
      abort: () =>
        isOurProcess(record)
          ? undefined
          : `exited during start-up; last lines of ${logFile}:\n${tail(logFile, from)}`,
    },
  );
  return record;
}

// ---------------------------------------------------------------------------------------------
// Fake nodes

const FAKE_NODE_RESOURCES: Readonly<Record<string, string>> = {
  cpu: '32',
  memory: '256Gi',
  pods: String(FAKE_NODE_PODS),
};

export function fakeNode(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { ...FAKE_NODE_RESOURCES },
      capacity: { ...FAKE_NODE_RESOURCES },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'kwok',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: 'kwok',
        machineID: '',
        operatingSystem: 'linux',
        osImage: '',
        systemUUID: '',
      },
      phase: 'Running',
    },
  };
}

/** Ready, and schedulable: the node lifecycle controller has removed the not-ready taint. */
function nodeReady(node: V1Node): boolean {
  const ready =
    node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const tainted = (node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
  return ready && !tainted;
}

/**
 * A pods quantity as a number: plain integers and the decimal suffixes k, M, G (the API server
 * stores 4000 as "4k"); NaN otherwise.
 */
export function podsQuantity(value: string | undefined): number {
  const match = /^(\d+)([kMG]?)$/.exec(value ?? '');
  if (match === null) return NaN;
  return Number(match[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? NaN);
}

export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The JSON patch of a node's status that raises its pods capacity and allocatable to
 * FAKE_NODE_PODS (nodes created by an older testkit held 110), or undefined when both hold that
 * many already. Never lowers a larger value; other resources stay as they are.
 */
export function nodeCapacityPatch(node: V1Node): JsonPatchOp[] | undefined {
  const ops: JsonPatchOp[] = [];
  for (const field of ['capacity', 'allocatable'] as const) {
    const current = node.status?.[field];
    if (current === undefined) {
      ops.push({ op: 'add', path: `/status/${field}`, value: { ...FAKE_NODE_RESOURCES } });
    } else if (!(podsQuantity(current['pods']) >= FAKE_NODE_PODS)) {
      ops.push({ op: 'add', path: `/status/${field}/pods`, value: String(FAKE_NODE_PODS) });
    }
  }
  if (ops.length > 0 && node.status === undefined)
    return [{ op: 'add', path: '/status', value: {} }, ...ops];
  return ops.length > 0 ? ops : undefined;
}

/**
 * Creates the fake nodes, or raises the pods capacity of existing ones (status subresource: kwok's
 * node stages keep the capacity and allocatable a node has), then waits until they are schedulable.
 */
export async function ensureFakeNodes(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: FAKE_NODE_COUNT }, (_, i) => `kwok-node-${i}`);
  for (const name of names) {
    let existing: V1Node;
    try {
      await core.createNode({ body: fakeNode(name) });
      continue;
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
      existing = await core.readNode({ name });
    }
    const patch = nodeCapacityPatch(existing);
    if (patch !== undefined) {
      log(`raising ${name}'s pods capacity to ${FAKE_NODE_PODS}`);
      await core.patchNodeStatus({ name, body: patch });
    }
  }
  await waitFor(
    `${FAKE_NODE_COUNT} kwok nodes Ready`,
    async () => {
      const list = await core.listNode({ labelSelector: 'type=kwok' });
      return (
        list.items.filter((n) => names.includes(n.metadata?.name ?? '') && nodeReady(n)).length ===
        names.length
      );
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  // Pods need the `default` ServiceAccount's namespace machinery only when the plugin is on; still
  // wait for the controller-manager to publish it so tests see a settled cluster.
  await waitFor(
    'default ServiceAccount',
    async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

// ---------------------------------------------------------------------------------------------
// Public operations

function runningComponents(paths: ClusterPaths): Component[] {
  return COMPONENTS.filter((c) => {
    const record = readRecord(paths, c);
    return record !== undefined && isOurProcess(record);
  });
}

async function healthy(state: ClusterState, paths: ClusterPaths): Promise<boolean> {
  const pki = pkiFiles(paths.pkiDir);
  const running = runningComponents(paths);
  if (!running.includes('etcd') || !running.includes('kube-apiserver')) return false;
  try {
    return await componentHealthy('kube-apiserver', state, pki);
  } catch {
    return false;
  }
}

/** Stops every recorded component: the clients of etcd in parallel first, etcd last. */
async function stopAll(paths: ClusterPaths): Promise<Component[]> {
  const stopOne = async (component: Component): Promise<Component | undefined> => {
    const record = readRecord(paths, component);
    if (record === undefined) return undefined;
    const alive = isOurProcess(record);
    if (alive) await stopProcess(record);
    rmSync(pidFile(paths, component), { force: true });
    return alive ? component : undefined;
  };
  const clients = await Promise.all(COMPONENTS.filter((c) => c !== 'etcd').map(stopOne));
  const etcd = await stopOne('etcd');
  return [...clients, etcd].filter((c): c is Component => c !== undefined);
}

/**
 * Removes the cluster's state, data and certificates. up() keeps the marks of the runs using the
 * cluster (it starts one anew under them); down() and release() remove them too.
 */
function wipe(paths: ClusterPaths, users: 'keep' | 'remove' = 'remove'): void {
  for (const path of [
    paths.dataDir,
    paths.pidDir,
    paths.pkiDir,
    ...(users === 'remove' ? [paths.usersDir] : []),
    paths.stateFile,
    paths.kubeconfig,
  ]) {
    rmSync(path, { recursive: true, force: true });
  }
}

/** True when a running component was started with another binary or other flags than today's. */
export function outdated(
  record: ProcessRecord,
  component: Component,
  state: ClusterState,
  paths: ClusterPaths,
  pki: Pki,
): boolean {
  const args = componentArgs(component, state, paths, pki);
  return (
    record.exe !== componentExe(state.binaries, component) ||
    record.args.length !== args.length ||
    record.args.some((arg, i) => arg !== args[i])
  );
}

async function startFullComponents(
  state: ClusterState,
  paths: ClusterPaths,
  pki: Pki,
): Promise<void> {
  for (const component of FULL_ONLY) {
    const record = readRecord(paths, component);
    if (record !== undefined && isOurProcess(record)) {
      if (!outdated(record, component, state, paths, pki)) continue;
      // Stateless clients of the API server: a restart costs a second or two of their work, and
      // a cluster started by an older testkit gets today's flags (rate limits, workers).
      log(`restarting ${component}: its command line is out of date`);
      await stopProcess(record);
    }
    await startComponent(component, state, paths, pki);
  }
  await ensureFakeNodes(paths.kubeconfig);
}

export interface UpOptions {
  profile: Profile;
  owner: 'cli' | 'test-run';
  paths?: ClusterPaths;
  /** Chooses the components' ports (default: freePorts). Tests hand out a taken one with it. */
  choosePorts?: (count: number) => Promise<number[]>;
  /**
   * Marks this process as a user of the cluster while up() holds the lock, so that a run ending at
   * the same moment (release()) cannot stop the cluster between up() and the mark.
   */
  user?: number;
}

/** Starts the local control plane, or reuses (and if needed upgrades to `full`) a running one. */
export async function up(options: UpOptions): Promise<UpResult> {
  const paths = options.paths ?? clusterPaths();
  const began = Date.now();
  return withLock(paths, async () => {
    const existing = readState(paths);
    if (existing !== undefined && (await healthy(existing, paths))) {
      const pki = pkiFiles(paths.pkiDir);
      if (options.profile === 'full' || existing.profile === 'full') {
        if (existing.profile !== 'full') {
          log('upgrading the running api cluster to the full profile');
          existing.binaries = await resolveBinaries('full');
        }
        existing.profile = 'full';
        await startFullComponents(existing, paths, pki);
      }
      if (options.owner === 'cli') existing.owner = 'cli';
      writeState(paths, existing);
      if (options.user !== undefined) addUser(paths, options.user);
      return {
        state: existing,
        kubeconfig: paths.kubeconfig,
        started: false,
        ms: Date.now() - began,
      };
    }
    if (existing !== undefined || existsSync(paths.pidDir)) {
      log('found a stale or unhealthy cluster: stopping what is left of it');
      await stopAll(paths);
    }
    wipe(paths, 'keep');

    const binaries = await resolveBinaries(options.profile);
    for (let attempt = 1; ; attempt++) {
      try {
        const state = await startNew(options, binaries, paths);
        if (options.user !== undefined) addUser(paths, options.user);
        return { state, kubeconfig: paths.kubeconfig, started: true, ms: Date.now() - began };
      } catch (err) {
        // Another process bound a port between its choice and the component's bind.
        if (attempt >= START_ATTEMPTS || !errorMessage(err).includes('address already in use'))
          throw err;
        log(`a port was taken during start-up; starting again on other ports`);
        wipe(paths, 'keep');
      }
    }
  });
}

/** How often up() picks new ports when a component finds its port taken. */
const START_ATTEMPTS = 3;

/** Starts a cluster in the wiped `paths` on newly chosen ports; on failure stops what it started. */
async function startNew(
  options: UpOptions,
  binaries: ClusterState['binaries'],
  paths: ClusterPaths,
): Promise<ClusterState> {
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await (
    options.choosePorts ?? freePorts
  )(6);
  if (kwok === undefined) throw new TestkitError('START_FAILED', 'could not allocate ports');
  const state: ClusterState = {
    version: 1,
    profile: options.profile,
    owner: options.owner,
    server: `https://127.0.0.1:${apiserver ?? 0}`,
    ports: {
      etcdClient: etcdClient ?? 0,
      etcdPeer: etcdPeer ?? 0,
      apiserver: apiserver ?? 0,
      controllerManager: controllerManager ?? 0,
      scheduler: scheduler ?? 0,
      kwok,
    },
    binaries,
    startedAt: new Date().toISOString(),
  };
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const pki = ensurePki(paths.pkiDir);
  writeFileSync(paths.kubeconfig, renderKubeconfig(state.server, pki), { mode: 0o600 });
  writeState(paths, state);
  try {
    await startComponent('etcd', state, paths, pki);
    await startComponent('kube-apiserver', state, paths, pki);
    if (options.profile === 'full') await startFullComponents(state, paths, pki);
  } catch (err) {
    log(`start-up failed, stopping what was started: ${errorMessage(err)}`);
    await stopAll(paths);
    throw err;
  }
  return state;
}

/** Stops every process recorded in the PID files and removes the cluster's data. Logs are kept. */
export async function down(paths: ClusterPaths = clusterPaths()): Promise<Component[]> {
  return withLock(paths, async () => {
    const stopped = await stopAll(paths);
    wipe(paths);
    return stopped;
  });
}

export interface ComponentStatus {
  component: Component;
  pid?: number;
  running: boolean;
  rssKiB: number;
  log: string;
}

export interface ClusterStatus {
  state?: ClusterState;
  kubeconfig: string;
  ready: boolean;
  components: ComponentStatus[];
  totalRssKiB: number;
}

export async function status(paths: ClusterPaths = clusterPaths()): Promise<ClusterStatus> {
  const state = readState(paths);
  const components = COMPONENTS.map((component): ComponentStatus => {
    const record = readRecord(paths, component);
    const running = record !== undefined && isOurProcess(record);
    return {
      component,
      pid: record?.pid,
      running,
      rssKiB: running && record !== undefined ? rssKiB(record.pid) : 0,
      log: join(paths.logDir, `${component}.log`),
    };
  });
  const ready = state !== undefined && (await healthy(state, paths));
  return {
    state,
    kubeconfig: paths.kubeconfig,
    ready,
    components,
    totalRssKiB: components.reduce((sum, c) => sum + c.rssKiB, 0),
  };
}

export function currentState(paths: ClusterPaths = clusterPaths()): ClusterState | undefined {
  return readState(paths);
}

/** Marks a test-run's use of the cluster (a file named after its PID). */
export function addUser(paths: ClusterPaths, pid = process.pid): void {
  mkdirSync(paths.usersDir, { recursive: true });
  writeFileSync(join(paths.usersDir, String(pid)), '');
}

/**
 * Removes the mark of `pid` and, under the lock, stops a cluster a test run started once no live
 * user is left. True when it stopped the cluster.
 */
export async function release(paths: ClusterPaths, pid = process.pid): Promise<boolean> {
  return withLock(paths, async () => {
    if (removeUser(paths, pid) > 0 || readState(paths)?.owner !== 'test-run') return false;
    await stopAll(paths);
    wipe(paths);
    return true;
  });
}

/** Removes this process's mark and returns how many other live users remain. */
export function removeUser(paths: ClusterPaths, pid = process.pid): number {
  rmSync(join(paths.usersDir, String(pid)), { force: true });
  if (!existsSync(paths.usersDir)) return 0;
  return readdirSync(paths.usersDir).filter((name) => {
    const other = Number(name);
    if (Number.isInteger(other) && other > 0 && pidAlive(other)) return true;
    rmSync(join(paths.usersDir, name), { force: true });
    return false;
  }).length;
}

export interface RestartOptions {
  /** Time the component stays down before it is started again (default 0). */
  downtimeMs?: number;
  /** The cluster directory given to ensureControlPlane({ clusterDir }); default: the shared one. */
  clusterDir?: string;
  paths?: ClusterPaths;
}

/** Fault injection needs processes the testkit started; an external cluster has none. */
function localPaths(options: RestartOptions, what: string): ClusterPaths {
  if (
    process.env['LYNQ_TEST_KUBECONFIG'] !== undefined &&
    process.env['LYNQ_TEST_KUBECONFIG'] !== ''
  ) {
    throw new TestkitError(
      'EXTERNAL_CLUSTER',
      `${what} needs the local control plane, not LYNQ_TEST_KUBECONFIG`,
    );
  }
  return options.paths ?? clusterPaths(options.clusterDir);
}

function runningState(paths: ClusterPaths): ClusterState {
  const state = readState(paths);
  if (state === undefined) {
    throw new TestkitError(
      'NOT_RUNNING',
      'no local control plane is running (npm run cluster -- up)',
    );
  }
  return state;
}

/**
 * Stops one component of the running local cluster (SIGTERM, then SIGKILL) and leaves it down
 * until startClusterComponent: a fault a test holds for as long as it likes. Every client of the
 * cluster sees the outage, so use a cluster of your own (`clusterDir`).
 */
export async function stopClusterComponent(
  component: Component,
  options: RestartOptions = {},
): Promise<void> {
  const paths = localPaths(options, `stopping ${component}`);
  await withLock(paths, async () => {
    runningState(paths);
    const record = readRecord(paths, component);
    if (record === undefined || !isOurProcess(record)) {
      throw new TestkitError('NOT_RUNNING', `${component} is not running in ${paths.root}`);
    }
    await stopProcess(record);
    rmSync(pidFile(paths, component), { force: true });
  });
}

/**
 * Starts a component stopped by stopClusterComponent again with the flags, ports, certificates
 * and data it had, and waits until it is healthy. A running component is left as it is.
 */
export async function startClusterComponent(
  component: Component,
  options: RestartOptions = {},
): Promise<void> {
  const paths = localPaths(options, `starting ${component}`);
  await withLock(paths, async () => {
    const state = runningState(paths);
    const record = readRecord(paths, component);
    if (record !== undefined && isOurProcess(record)) return;
    await startComponent(component, state, paths, pkiFiles(paths.pkiDir));
  });
}

/**
 * Stops one component and starts it again after `downtimeMs` (same port, certificates and etcd
 * data), then waits until it is healthy. Clients keep their kubeconfig.
 */
export async function restartClusterComponent(
  component: Component,
  options: RestartOptions = {},
): Promise<void> {
  const paths = localPaths(options, `restarting ${component}`);
  await withLock(paths, async () => {
    const state = runningState(paths);
    const record = readRecord(paths, component);
    if (record === undefined) {
      throw new TestkitError('NOT_RUNNING', `${component} is not running in ${paths.root}`);
    }
    await stopProcess(record);
    if ((options.downtimeMs ?? 0) > 0) await delay(options.downtimeMs);
    await startComponent(component, state, paths, pkiFiles(paths.pkiDir));
  });
}

/** restartClusterComponent('kube-apiserver', options). */
export async function restartApiServer(options: RestartOptions = {}): Promise<void> {
  await restartClusterComponent('kube-apiserver', options);
}
