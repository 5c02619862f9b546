// Command-line flags of the operator: Lynq's names and defaults (cmd/main.go) in Go's syntax
// (`--flag=value`, `--flag value`, `-flag`, Go durations and listen addresses), plus our own
// flags for rendering, datasource limits and shutdown.
import { readFileSync } from 'node:fs';
import { DEFAULT_NAMESPACE, LEADER_ELECTION_ID } from '@lynq/api';
import type { DatasourceLimits } from '@lynq/datasource';
import { DEFAULT_TARGET_POLICY, type TargetPolicy } from '@lynq/policy';
import { defaultReplicaIdentity } from '@lynq/runtime';

/** A listen address; no host means every interface, port 0 a free port. IPv6 without brackets. */
export interface BindAddress {
  readonly host?: string;
  readonly port: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LeaderElectionConfig {
  readonly enabled: boolean;
  readonly id: string;
  readonly namespace: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export interface ShardingConfig {
  /** 1: no sharding (every controller on the leader, no shard Leases). */
  readonly shards: number;
  /** This replica in the member and shard Leases. */
  readonly replicaId: string;
}

/** The admission webhook server (reference §2): HTTPS with certificates read from a directory. */
export interface WebhookConfig {
  /** 0: not started. */
  readonly port: number;
  /** The directory holding the serving certificate and key; undefined: not started. */
  readonly certPath: string | undefined;
  /** File names inside certPath. */
  readonly certName: string;
  readonly keyName: string;
}

/** How /metrics is served (reference §9): HTTPS with authentication and authorization, or plain HTTP. */
export interface MetricsConfig {
  /** HTTPS, and only for tokens allowed to get /metrics (TokenReview + SubjectAccessReview). */
  readonly secure: boolean;
  /** The directory holding the serving certificate and key; undefined: self-signed at start. */
  readonly certPath: string | undefined;
  /** File names inside certPath. */
  readonly certName: string;
  readonly keyName: string;
}

export interface OperatorConfig {
  /** Undefined: disabled (`0`). */
  readonly metricsAddress: BindAddress | undefined;
  readonly metrics: MetricsConfig;
  /** Undefined: disabled (`0`). */
  readonly healthAddress: BindAddress | undefined;
  readonly webhook: WebhookConfig;
  readonly leaderElection: LeaderElectionConfig;
  readonly sharding: ShardingConfig;
  readonly hubConcurrency: number;
  readonly formConcurrency: number;
  readonly nodeConcurrency: number;
  readonly kubeconfig: string | undefined;
  /** Undefined: every namespace. */
  readonly namespace: string | undefined;
  readonly logLevel: LogLevel;
  readonly gracefulShutdownMs: number;
  readonly enableNunjucksTemplates: boolean;
  readonly renderProcesses: number;
  /** V8's --heap-growing-percent for this process; 0 leaves V8's heuristics. */
  readonly heapGrowthPercent: number;
  /** In-progress LynqNode statuses are held this long (held-status.ts); 0: written at once. */
  readonly progressStatusDelayMs: number;
  readonly renderTimeoutMs: number;
  readonly renderMemoryLimitMb: number;
  readonly datasourceLimits: Readonly<Required<DatasourceLimits>>;
  /** Packages exporting a DatasourcePlugin, for hubs whose source type is not built in. */
  readonly datasourcePlugins: readonly string[];
  /** Where forms' resources may land (docs/hostile-input.md). */
  readonly targets: TargetPolicy;
}

export interface ParseFlagsOptions {
  /** The pod's namespace, undefined outside a cluster. Default: the service account's file. */
  readInClusterNamespace?: () => string | undefined;
  /** Where the default replica id comes from (POD_NAME). Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A flag that cannot be used as given; `flag` is what the user typed (`--x`, or a positional). */
export class FlagError extends Error {
  override readonly name = 'FlagError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

/** `--help` was given: print USAGE to stdout and exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

// name, value placeholder ('' for a boolean), default ('' when computed or none), help.
// prettier-ignore
const FLAGS: readonly (readonly [string, string, string, string])[] = [
  ['metrics-bind-address', 'ADDR', '0', 'metrics address, e.g. :8443; 0 disables metrics'],
  ['metrics-secure', '', 'true', 'HTTPS, only for tokens allowed to get /metrics (TokenReview, SubjectAccessReview); =false: plain HTTP'],
  ['metrics-cert-path', 'DIR', '', 'directory of the metrics serving certificate; empty: self-signed at start'],
  ['metrics-cert-name', 'FILE', 'tls.crt', 'certificate file in --metrics-cert-path (reloaded when it changes)'],
  ['metrics-cert-key', 'FILE', 'tls.key', 'private key file in --metrics-cert-path'],
  ['health-probe-bind-address', 'ADDR', ':8081', '/healthz and /readyz address; 0 disables them'],
  ['webhook-port', 'PORT', '9443', 'admission webhook HTTPS port; 0 disables the webhook server'],
  ['webhook-cert-path', 'DIR', '', 'directory of the webhook serving certificate; empty: no webhook server'],
  ['webhook-cert-name', 'FILE', 'tls.crt', 'certificate file in --webhook-cert-path (reloaded when it changes)'],
  ['webhook-cert-key', 'FILE', 'tls.key', 'private key file in --webhook-cert-path'],
  ['leader-elect', '', 'false', 'elect a leader so that one replica reconciles'],
  ['leader-election-id', 'NAME', LEADER_ELECTION_ID, 'Lease name'],
  ['leader-election-namespace', 'NS', '', `Lease namespace (default: the pod's, else --namespace, else ${DEFAULT_NAMESPACE})`],
  ['lease-duration', 'D', '15s', 'Lease duration'],
  ['renew-deadline', 'D', '10s', 'time to renew; less than the lease duration'],
  ['retry-period', 'D', '2s', 'time between attempts to acquire or renew'],
  ['shards', 'N', '1', 'spread LynqNodes over replicas in N shard Leases, 1-1024; N > 1 needs --leader-elect'],
  ['replica-id', 'NAME', '', 'this replica in shard Leases (default: $POD_NAME, else hostname_pid)'],
  ['hub-concurrency', 'N', '3', 'parallel LynqHub reconciles, 1-1000'],
  ['form-concurrency', 'N', '5', 'parallel LynqForm reconciles, 1-1000'],
  ['node-concurrency', 'N', '32', 'parallel LynqNode reconciles, 1-1000 (Lynq: 10)'],
  ['kubeconfig', 'PATH', '', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)'],
  ['namespace', 'NS', '', 'watch only this namespace (default: all)'],
  ['log-level', 'LEVEL', 'info', 'debug, info, warn or error; logs are JSON'],
  ['zap-log-level', 'LEVEL', '', "Lynq's name of --log-level: debug, info or error"],
  ['zap-encoder', 'json', '', 'accepted for Lynq compatibility; only json'],
  ['zap-devel', '', '', 'not supported: use --log-level=debug'],
  ['graceful-shutdown-timeout', 'D', '30s', 'time to finish work on SIGTERM'],
  ['enable-nunjucks-templates', '', 'false', 'allow nunjucks syntax; only if all form authors are trusted'],
  ['render-processes', 'N', '2', 'render processes, 1-64'],
  ['progress-status-delay', 'D', '15s', "how long a pass over a node's resources runs before its in-progress status is written (a shorter pass writes only its outcome); 0: at once"],
  ['heap-growth-percent', 'N', '30', "how far the heap may grow past what is live before V8 collects, 0-1000; 0: V8's own heuristics"],
  ['render-timeout', 'D', '5s', "time one node's render may take"],
  ['render-memory-limit-mb', 'N', '256', 'heap of each render process in MB, 32-65536'],
  ['datasource-pool-size', 'N', '5', 'database connections per hub, 1-1000'],
  ['datasource-connect-timeout', 'D', '5s', 'time to open a connection'],
  ['datasource-query-timeout', 'D', '30s', 'longest wait for the next row'],
  ['datasource-idle-timeout', 'D', '60s', 'unused pooled connections are closed after this'],
  ['datasource-max-rows', 'N', '100000', 'most rows one sync may read'],
  ['datasource-max-result-bytes', 'BYTES', '64Mi', 'most bytes one sync may read; Ki, Mi, Gi allowed'],
  ['datasource-plugins', 'PKGS', '', 'comma-separated npm packages of datasource plugins to load'],
  ['target-namespaces', 'LIST', '*', "namespaces besides the node's own that forms may write into: names, prefix*, or *"],
  ['protected-namespaces', 'LIST', '', "namespaces forms may never write into or name a Namespace after, except a hub's own (default kube-system,kube-public,kube-node-lease and the operator's)"],
  ['cluster-scoped-kinds', 'LIST', 'Namespace', 'cluster-scoped kinds forms may create: Kind (core) or Kind.group, * for any; empty for none'],
  ['help', '', '', 'print this help'],
];
const SPEC = new Map(FLAGS.map((f) => [f[0], f]));

const usageLine = ([name, arg, def, help]: (typeof FLAGS)[number]) =>
  `${`  --${name} ${arg}`.padEnd(40)}${help}${def && ` (default ${def})`}`;

export const USAGE = `Usage: lynq-operator [flags]

${FLAGS.map(usageLine).join('\n')}

D is a Go duration (500ms, 15s, 1m30s); ADDR is [host]:port (:8080, 127.0.0.1:8080, [::1]:8080).
`;

const GO_BOOLS = new Map<string, string>([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((s) => [s, 'true'] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((s) => [s, 'false'] as const),
]);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Node's timers fire at once above this (2^31-1 ms, about 596 hours).
const MAX_TIMER_MS = 2 ** 31 - 1;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 }; // prettier-ignore
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const SIZE_SUFFIX: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

const invalid = (flag: string, value: string, expected: string) =>
  new FlagError(flag, `invalid value ${JSON.stringify(value)} for ${flag}: expected ${expected}`);

/** Milliseconds of a Go duration (`1m30s`, `-1.5h`, `0`; sub-ms rounded up), undefined if malformed. */
export function parseGoDuration(text: string): number | undefined {
  const body = /^[-+]/.test(text) ? text.slice(1) : text;
  if (body === '0') return 0;
  let ns = 0;
  let end = 0;
  DURATION_PART.lastIndex = 0;
  for (let m = DURATION_PART.exec(body); m; m = DURATION_PART.exec(body)) {
    ns += Number(m[1]) * (UNIT_NS[m[2] as string] as number);
    end = DURATION_PART.lastIndex;
  }
  if (end === 0 || end !== body.length) return undefined;
  const ms = Math.ceil(Math.round(ns) / 1e6);
  return text.startsWith('-') && ms !== 0 ? -ms : ms;
}

/** A Go listen address: `:8080`, `0.0.0.0:8080`, `[::1]:0`; `0` means disabled (undefined). */
export function parseBindAddress(flag: string, text: string): BindAddress | undefined {
  if (text === '0') return undefined;
  const m = /^(?:\[([\w:.%]+)\]|([\w.-]*)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535)
    throw invalid(flag, text, '[host]:port with a port from 0 to 65535, or 0 to disable');
  const host = m[1] ?? m[2];
  return host ? { host, port: Number(m[3]) } : { port: Number(m[3]) };
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, substitution);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

function unknownFlag(typed: string, name: string): FlagError {
  const near = FLAGS.map(([f]) => [f, f.startsWith(name) ? 0 : distance(name, f)] as const)
    .filter(([, d]) => d <= Math.max(2, name.length / 5))
    .sort((x, y) => x[1] - y[1])[0];
  const hint = near ? ` (did you mean --${near[0]}?)` : '';
  return new FlagError(typed, `unknown flag ${typed}${hint}`);
}

// Lynq's flags whose values we cannot honour fail loudly rather than run with another meaning.
function checkCompat(flag: string, name: string, value: string): void {
  if (name === 'zap-devel' && value === 'true')
    throw new FlagError(flag, `${flag} is not supported (logs are JSON); use --log-level=debug`);
  if (name === 'zap-encoder' && value !== 'json')
    throw invalid(flag, value, 'json (the operator logs only JSON)');
  if (name === 'zap-log-level' && !['debug', 'info', 'error'].includes(value)) {
    const hint = /^-?\d+$/.test(value) ? ' (numeric levels are not supported: use debug)' : '';
    throw invalid(flag, value, `debug, info or error${hint}`);
  }
}

/** The operator's configuration from its arguments (`process.argv.slice(2)`). */
export function parseFlags(argv: readonly string[], opts: ParseFlagsOptions = {}): OperatorConfig {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--?([^=-][^=]*)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      const hint = GO_BOOLS.has(arg) ? '; a boolean flag takes its value as --flag=false' : '';
      throw new FlagError(arg, `unexpected argument ${JSON.stringify(arg)}: only flags${hint}`);
    }
    const [, name = '', inline] = m;
    const flag = `--${name}`;
    if (name === 'h' || name === 'help') throw new HelpRequested('help requested');
    const spec = SPEC.get(name);
    if (spec === undefined) throw unknownFlag(`-${arg.startsWith('--') ? '-' : ''}${name}`, name);
    let value = inline;
    if (spec[1] === '') {
      value = GO_BOOLS.get(inline ?? 'true');
      if (value === undefined) throw invalid(flag, inline ?? '', 'true or false');
    } else if (value === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(flag, `flag needs an argument: ${flag}`);
      value = argv[++i] as string;
    }
    checkCompat(flag, name, value);
    values.set(name === 'zap-log-level' ? 'log-level' : name, value);
  }
  return build((name) => values.get(name) ?? (SPEC.get(name)?.[2] || undefined), opts);
}

function build(get: (name: string) => string | undefined, opts: ParseFlagsOptions): OperatorConfig {
  const int = (name: string, min: number, max: number, sizes = false): number => {
    const raw = get(name) ?? '';
    const m = (sizes ? /^(\d+)(Ki|Mi|Gi)?$/ : /^(\d+)$/).exec(raw);
    const n = m ? Number(m[1]) * (SIZE_SUFFIX[m[2] ?? ''] as number) : NaN;
    const unit = sizes ? ', with Ki, Mi or Gi if wanted' : '';
    if (!(n >= min && n <= max)) throw invalid(`--${name}`, raw, `an integer ${min}-${max}${unit}`);
    return n;
  };
  const duration = (name: string): number => {
    const raw = get(name) ?? '';
    const ms = parseGoDuration(raw);
    if (ms === undefined || ms <= 0 || ms > MAX_TIMER_MS)
      throw invalid(`--${name}`, raw, 'a Go duration from 1ms to 596h, e.g. 500ms, 15s, 1m30s');
    return ms;
  };
  const durationOrZero = (name: string): number => {
    const raw = get(name) ?? '';
    const ms = raw === '0' ? 0 : parseGoDuration(raw);
    if (ms === undefined || ms < 0 || ms > MAX_TIMER_MS)
      throw invalid(`--${name}`, raw, 'a Go duration from 0s to 596h, e.g. 0, 500ms, 15s');
    return ms;
  };
  const dns = (name: string, pattern: RegExp, what: string): string | undefined => {
    const v = get(name) || undefined;
    if (v !== undefined && !pattern.test(v)) throw invalid(`--${name}`, v, what);
    return v;
  };
  const address = (name: string) => parseBindAddress(`--${name}`, get(name) ?? '');
  const label = 'a DNS-1123 label (lowercase letters, digits and -, at most 63)';
  const logLevel = get('log-level') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw invalid('--log-level', logLevel, 'debug, info, warn or error');

  const leaseDurationMs = duration('lease-duration');
  const renewDeadlineMs = duration('renew-deadline');
  const retryPeriodMs = duration('retry-period');
  const notLess = (flag: string, times: string, other: string) =>
    new FlagError(
      `--${flag}`,
      `--${flag}=${get(flag)}${times} must be less than --${other}=${get(other)}`,
    );
  // client-go's rules; the second lets a renewal outlast a jittered retry (JitterFactor 1.2).
  if (renewDeadlineMs >= leaseDurationMs) throw notLess('renew-deadline', '', 'lease-duration');
  if (renewDeadlineMs <= 1.2 * retryPeriodMs)
    throw notLess('retry-period', ' × 1.2', 'renew-deadline');
  const leaderElect = get('leader-elect') === 'true';
  const shards = int('shards', 1, 1024);
  // Without a leader every replica would run the hub controller: two would create and delete
  // the same LynqNodes. Sharding divides only the node controller.
  if (shards > 1 && !leaderElect)
    throw new FlagError(
      '--shards',
      `--shards=${shards} needs --leader-elect: the hub and form controllers must run on one replica`,
    );
  const replicaId = get('replica-id') || defaultReplicaIdentity(opts.env);
  if (!/^[\x21-\x7e]{1,253}$/.test(replicaId))
    throw invalid(
      '--replica-id',
      replicaId,
      'at most 253 printable characters without spaces (default: $POD_NAME, else hostname_pid)',
    );

  return {
    metricsAddress: address('metrics-bind-address'),
    metrics: metricsConfig(get),
    healthAddress: address('health-probe-bind-address'),
    webhook: {
      port: int('webhook-port', 0, 65535),
      certPath: get('webhook-cert-path') || undefined,
      certName: fileName('webhook-cert-name', get('webhook-cert-name') ?? ''),
      keyName: fileName('webhook-cert-key', get('webhook-cert-key') ?? ''),
    },
    leaderElection: {
      enabled: leaderElect,
      id: dns('leader-election-id', DNS_SUBDOMAIN, 'a DNS-1123 subdomain') ?? LEADER_ELECTION_ID,
      namespace:
        dns('leader-election-namespace', DNS_LABEL, label) ??
        (opts.readInClusterNamespace ?? readServiceAccountNamespace)() ??
        (get('namespace') || undefined) ??
        DEFAULT_NAMESPACE,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    sharding: { shards, replicaId },
    hubConcurrency: int('hub-concurrency', 1, 1000),
    formConcurrency: int('form-concurrency', 1, 1000),
    nodeConcurrency: int('node-concurrency', 1, 1000),
    kubeconfig: get('kubeconfig') || undefined,
    namespace: dns('namespace', DNS_LABEL, label),
    logLevel,
    gracefulShutdownMs: duration('graceful-shutdown-timeout'),
    enableNunjucksTemplates: get('enable-nunjucks-templates') === 'true',
    renderProcesses: int('render-processes', 1, 64),
    heapGrowthPercent: int('heap-growth-percent', 0, 1000),
    progressStatusDelayMs: durationOrZero('progress-status-delay'),
    renderTimeoutMs: duration('render-timeout'),
    renderMemoryLimitMb: int('render-memory-limit-mb', 32, 65536),
    datasourceLimits: {
      poolSize: int('datasource-pool-size', 1, 1000),
      connectTimeoutMs: duration('datasource-connect-timeout'),
      queryTimeoutMs: duration('datasource-query-timeout'),
      idleTimeoutMs: duration('datasource-idle-timeout'),
      maxRows: int('datasource-max-rows', 1, Number.MAX_SAFE_INTEGER),
      maxResultBytes: int('datasource-max-result-bytes', 1, Number.MAX_SAFE_INTEGER, true),
    },
    datasourcePlugins: plugins(get('datasource-plugins') ?? ''),
    targets: targetPolicy(get, opts),
  };
}

const NAMESPACE_PATTERN = /^(\*|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?|[a-z0-9][-a-z0-9]{0,61}\*)$/;
const KIND_PATTERN = /^(\*|[A-Z][A-Za-z0-9]{0,62}(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The target policy: flags as given, else DEFAULT_TARGET_POLICY plus the operator's own namespace. */
function targetPolicy(
  get: (name: string) => string | undefined,
  opts: ParseFlagsOptions,
): TargetPolicy {
  const checked = (name: string, pattern: RegExp, expected: string): string[] => {
    const values = list(get(name) ?? '');
    const bad = values.find((v) => !pattern.test(v));
    if (bad !== undefined) throw invalid(`--${name}`, bad, expected);
    return values;
  };
  const namespaces = checked(
    'target-namespaces',
    NAMESPACE_PATTERN,
    'namespaces (DNS-1123 labels), prefixes ending in *, or * alone, separated by commas',
  );
  const given = get('protected-namespaces');
  const own = (opts.readInClusterNamespace ?? readServiceAccountNamespace)();
  const protectedNamespaces =
    given === undefined
      ? [...new Set([...DEFAULT_TARGET_POLICY.protectedNamespaces, ...(own ? [own] : [])])]
      : checked(
          'protected-namespaces',
          /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
          'namespaces (DNS-1123 labels) separated by commas',
        );
  const clusterScopedKinds = checked(
    'cluster-scoped-kinds',
    KIND_PATTERN,
    'kinds as Kind (core group) or Kind.group, or *, separated by commas',
  );
  return { namespaces, protectedNamespaces, clusterScopedKinds };
}

function metricsConfig(get: (name: string) => string | undefined): MetricsConfig {
  const secure = get('metrics-secure') === 'true';
  const certPath = get('metrics-cert-path') || undefined;
  // A certificate for a plain-HTTP server would be silently unused.
  if (certPath !== undefined && !secure)
    throw new FlagError(
      '--metrics-cert-path',
      '--metrics-cert-path is used only with --metrics-secure (the default); drop --metrics-secure=false or the certificate',
    );
  return {
    secure,
    certPath,
    certName: fileName('metrics-cert-name', get('metrics-cert-name') ?? ''),
    keyName: fileName('metrics-cert-key', get('metrics-cert-key') ?? ''),
  };
}

/** A file name inside a directory flag: not empty, no directory part. */
function fileName(name: string, raw: string): string {
  if (raw === '' || raw.includes('/') || raw === '.' || raw === '..')
    throw invalid(`--${name}`, raw, 'a file name (without a directory)');
  return raw;
}

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

function plugins(raw: string): string[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.find((n) => !NPM_NAME.test(n));
  if (bad !== undefined)
    throw invalid('--datasource-plugins', bad, 'npm package names separated by commas');
  return names;
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined; // not in a pod
  }
}
