import { hostname } from 'node:os';
import { DEFAULT_NAMESPACE, LEADER_ELECTION_ID } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import {
  FlagError,
  HelpRequested,
  parseBindAddress,
  parseFlags,
  parseGoDuration,
  USAGE,
  type OperatorConfig,
} from './flags.js';

const outsideCluster = { readInClusterNamespace: () => undefined, env: {} };
const parse = (...argv: string[]): OperatorConfig => parseFlags(argv, outsideCluster);

function flagError(argv: string[]): FlagError {
  try {
    parseFlags(argv, outsideCluster);
  } catch (err) {
    expect(err).toBeInstanceOf(FlagError);
    return err as FlagError;
  }
  throw new Error(`no FlagError for ${argv.join(' ')}`);
}

describe('parseFlags defaults', () => {
  it('uses Lynq defaults and ours when no flag is given', () => {
    expect(parse()).toEqual({
      metricsAddress: undefined,
      metrics: { secure: true, certPath: undefined, certName: 'tls.crt', keyName: 'tls.key' },
      healthAddress: { port: 8081 },
      webhook: { port: 9443, certPath: undefined, certName: 'tls.crt', keyName: 'tls.key' },
      leaderElection: {
        enabled: false,
        id: LEADER_ELECTION_ID,
        namespace: DEFAULT_NAMESPACE,
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
      },
      sharding: { shards: 1, replicaId: `${hostname()}_${process.pid}` },
      hubConcurrency: 3,
      formConcurrency: 5,
      nodeConcurrency: 32,
      kubeconfig: undefined,
      namespace: undefined,
      logLevel: 'info',
      gracefulShutdownMs: 30_000,
      enableNunjucksTemplates: false,
      renderProcesses: 2,
      heapGrowthPercent: 30,
      progressStatusDelayMs: 15_000,
      renderTimeoutMs: 5_000,
      renderMemoryLimitMb: 256,
      datasourceLimits: {
        poolSize: 5,
        connectTimeoutMs: 5_000,
        queryTimeoutMs: 30_000,
        idleTimeoutMs: 60_000,
        maxRows: 100_000,
        maxResultBytes: 67_108_864,
      },
      datasourcePlugins: [],
      targets: {
        namespaces: ['*'],
        protectedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
        clusterScopedKinds: ['Namespace'],
      },
    } satisfies OperatorConfig);
  });

  it('protects the operator’s own namespace by default; the target flags replace the defaults', () => {
    expect(parseFlags([], { readInClusterNamespace: () => 'lynq-system' }).targets).toEqual({
      namespaces: ['*'],
      protectedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'lynq-system'],
      clusterScopedKinds: ['Namespace'],
    });
    const config = parse(
      '--target-namespaces=tenant-*, shared',
      '--protected-namespaces=',
      '--cluster-scoped-kinds=Namespace,ClusterRole.rbac.authorization.k8s.io',
    );
    expect(config.targets).toEqual({
      namespaces: ['tenant-*', 'shared'],
      protectedNamespaces: [],
      clusterScopedKinds: ['Namespace', 'ClusterRole.rbac.authorization.k8s.io'],
    });
    expect(parse('--cluster-scoped-kinds=').targets.clusterScopedKinds).toEqual([]);
    expect(flagError(['--target-namespaces=Kube-System']).message).toContain('--target-namespaces');
    expect(flagError(['--cluster-scoped-kinds=clusterrole']).message).toContain('Kind.group');
    expect(flagError(['--protected-namespaces=a*']).flag).toBe('--protected-namespaces');
  });

  it('takes the leader election namespace from the pod when running in one', () => {
    const config = parseFlags([], { readInClusterNamespace: () => 'ops' });
    expect(config.leaderElection.namespace).toBe('ops');
    const explicit = parseFlags(['--leader-election-namespace=x'], {
      readInClusterNamespace: () => 'ops',
    });
    expect(explicit.leaderElection.namespace).toBe('x');
  });

  it('puts the Lease in the watched namespace outside a pod when no namespace is given for it', () => {
    const outside = { readInClusterNamespace: () => undefined };
    expect(parseFlags(['--namespace=team-a'], outside).leaderElection.namespace).toBe('team-a');
    const inPod = { readInClusterNamespace: () => 'lynq-system' };
    expect(parseFlags(['--namespace=team-a'], inPod).leaderElection.namespace).toBe('lynq-system');
  });

  it('reads the service account file by default, and falls back outside a pod', () => {
    // No test machine is a pod with this file; the default reader must then fall back quietly.
    expect(parseFlags([]).leaderElection.namespace).toBe(DEFAULT_NAMESPACE);
  });
});

describe('parseFlags values', () => {
  it('accepts --flag=value, --flag value and single-dash Go spelling', () => {
    const config = parse(
      '--metrics-bind-address=:8443',
      '--metrics-secure=false',
      '--health-probe-bind-address',
      '127.0.0.1:9090',
      '-hub-concurrency=7',
      '-form-concurrency',
      '8',
      '--node-concurrency=1000',
      '--kubeconfig',
      '/tmp/kc',
      '--namespace=tenants',
      '--log-level=debug',
      '--graceful-shutdown-timeout=1m30s',
    );
    expect(config.metricsAddress).toEqual({ port: 8443 });
    expect(config.healthAddress).toEqual({ host: '127.0.0.1', port: 9090 });
    expect([config.hubConcurrency, config.formConcurrency, config.nodeConcurrency]).toEqual([
      7, 8, 1000,
    ]);
    expect(config.kubeconfig).toBe('/tmp/kc');
    expect(config.namespace).toBe('tenants');
    expect(config.logLevel).toBe('debug');
    expect(config.gracefulShutdownMs).toBe(90_000);
  });

  it('reads booleans as Go does: bare, =true, =false, =1, =F', () => {
    expect(parse('--leader-elect').leaderElection.enabled).toBe(true);
    expect(parse('--leader-elect=true').leaderElection.enabled).toBe(true);
    expect(parse('--leader-elect=1').leaderElection.enabled).toBe(true);
    expect(parse('--leader-elect', '--leader-elect=false').leaderElection.enabled).toBe(false);
    expect(parse('--leader-elect=F').leaderElection.enabled).toBe(false);
    expect(parse('--enable-nunjucks-templates').enableNunjucksTemplates).toBe(true);
  });

  it('lets the last occurrence win, as Go flags do', () => {
    expect(parse('--hub-concurrency=2', '--hub-concurrency=4').hubConcurrency).toBe(4);
    expect(parse('--zap-log-level=error', '--log-level=warn').logLevel).toBe('warn');
    expect(parse('--log-level=warn', '--zap-log-level=error').logLevel).toBe('error');
  });

  it('sets leader election', () => {
    const { leaderElection } = parse(
      '--leader-elect',
      '--leader-election-id=my.lease.example',
      '--leader-election-namespace=ops',
      '--lease-duration=30s',
      '--renew-deadline=20s',
      '--retry-period=500ms',
    );
    expect(leaderElection).toEqual({
      enabled: true,
      id: 'my.lease.example',
      namespace: 'ops',
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 500,
    });
  });

  it('sets sharding: a shard count with leader election, and the replica id', () => {
    expect(parse('--leader-elect', '--shards=6', '--replica-id=op-0').sharding).toEqual({
      shards: 6,
      replicaId: 'op-0',
    });
    expect(parse('--leader-elect', '--shards', '1024').sharding.shards).toBe(1024);
  });

  it('takes the replica id from POD_NAME, else hostname_pid', () => {
    const inPod = parseFlags([], { ...outsideCluster, env: { POD_NAME: 'lynq-7d9f8-abcde' } });
    expect(inPod.sharding.replicaId).toBe('lynq-7d9f8-abcde');
    const emptyPodName = parseFlags([], { ...outsideCluster, env: { POD_NAME: '' } });
    expect(emptyPodName.sharding.replicaId).toBe(`${hostname()}_${process.pid}`);
    const explicit = parseFlags(['--replica-id=r1'], { ...outsideCluster, env: { POD_NAME: 'p' } });
    expect(explicit.sharding.replicaId).toBe('r1');
  });

  it('sets rendering and datasource limits', () => {
    const config = parse(
      '--render-processes=4',
      '--render-timeout=250ms',
      '--render-memory-limit-mb=512',
      '--datasource-pool-size=10',
      '--datasource-connect-timeout=2s',
      '--datasource-query-timeout=1m',
      '--datasource-idle-timeout=5m',
      '--datasource-max-rows=500',
      '--datasource-max-result-bytes=16Mi',
    );
    expect([config.renderProcesses, config.renderTimeoutMs, config.renderMemoryLimitMb]).toEqual([
      4, 250, 512,
    ]);
    expect(config.datasourceLimits).toEqual({
      poolSize: 10,
      connectTimeoutMs: 2_000,
      queryTimeoutMs: 60_000,
      idleTimeoutMs: 300_000,
      maxRows: 500,
      maxResultBytes: 16 * 1024 * 1024,
    });
    expect(parse('--datasource-max-result-bytes=1000').datasourceLimits.maxResultBytes).toBe(1000);
    expect(parse('--datasource-max-result-bytes=2Ki').datasourceLimits.maxResultBytes).toBe(2048);
    expect(parse('--datasource-max-result-bytes=1Gi').datasourceLimits.maxResultBytes).toBe(
      2 ** 30,
    );
  });

  it('sets the webhook server: port (0 disables), certificate directory and file names', () => {
    expect(
      parse(
        '--webhook-port=10250',
        '--webhook-cert-path=/tmp/k8s-webhook-server/serving-certs',
        '--webhook-cert-name=cert.pem',
        '--webhook-cert-key=key.pem',
      ).webhook,
    ).toEqual({
      port: 10250,
      certPath: '/tmp/k8s-webhook-server/serving-certs',
      certName: 'cert.pem',
      keyName: 'key.pem',
    });
    expect(parse('--webhook-port=0').webhook.port).toBe(0);
    expect(flagError(['--webhook-port=65536']).flag).toBe('--webhook-port');
    expect(flagError(['--webhook-cert-name=../tls.crt']).message).toMatch(
      /--webhook-cert-name: expected a file name/,
    );
    expect(flagError(['--webhook-cert-key=']).flag).toBe('--webhook-cert-key');
  });

  it('lists datasource plugin packages and refuses what is not a package name', () => {
    expect(parse('--datasource-plugins=@acme/lynq-redis, lynq-csv').datasourcePlugins).toEqual([
      '@acme/lynq-redis',
      'lynq-csv',
    ]);
    expect(() => parse('--datasource-plugins=../evil.js')).toThrow(
      /invalid value "..\/evil.js" for --datasource-plugins: expected npm package names/,
    );
  });

  it('accepts Lynq zap flags that mean what we do', () => {
    expect(parse('--zap-log-level=debug').logLevel).toBe('debug');
    expect(parse('--zap-log-level', 'error').logLevel).toBe('error');
    expect(parse('--zap-encoder=json').logLevel).toBe('info');
    expect(parse('--zap-devel=false').logLevel).toBe('info');
  });

  it('takes 0 for --progress-status-delay: statuses written at once', () => {
    expect(parse('--progress-status-delay=0').progressStatusDelayMs).toBe(0);
    expect(parse('--progress-status-delay=0s').progressStatusDelayMs).toBe(0);
    expect(parse('--progress-status-delay=1m').progressStatusDelayMs).toBe(60_000);
  });

  it('treats an empty --kubeconfig or --namespace as not given', () => {
    expect(parse('--kubeconfig=').kubeconfig).toBeUndefined();
    expect(parse('--namespace=').namespace).toBeUndefined();
  });
});

describe('parseFlags errors', () => {
  it.each([
    [['--hub-concurrency=0'], '--hub-concurrency', '"0"'],
    [['--form-concurrency=1001'], '--form-concurrency', 'an integer 1-1000'],
    [['--node-concurrency=ten'], '--node-concurrency', '"ten"'],
    [['--node-concurrency=2.5'], '--node-concurrency', '"2.5"'],
    [['--render-processes=65'], '--render-processes', '1-64'],
    [['--render-memory-limit-mb=16'], '--render-memory-limit-mb', '32-65536'],
    [['--heap-growth-percent=1001'], '--heap-growth-percent', '0-1000'],
    [['--heap-growth-percent=-5'], '--heap-growth-percent', '"-5"'],
    [['--datasource-pool-size=-1'], '--datasource-pool-size', '"-1"'],
    [['--datasource-max-rows=0'], '--datasource-max-rows', '"0"'],
    [['--datasource-max-rows=1Ki'], '--datasource-max-rows', '"1Ki"'],
    [['--datasource-max-result-bytes=64MB'], '--datasource-max-result-bytes', 'Ki, Mi or Gi'],
    [['--render-timeout=5'], '--render-timeout', 'Go duration'],
    [['--render-timeout=0s'], '--render-timeout', '"0s"'],
    [['--progress-status-delay=-1s'], '--progress-status-delay', 'from 0s to 596h'],
    [['--progress-status-delay=15'], '--progress-status-delay', '"15"'],
    [['--graceful-shutdown-timeout=-5s'], '--graceful-shutdown-timeout', '"-5s"'],
    [['--datasource-query-timeout=600h'], '--datasource-query-timeout', 'from 1ms to 596h'],
    [['--lease-duration=15 s'], '--lease-duration', '"15 s"'],
    [['--metrics-bind-address=8080'], '--metrics-bind-address', '[host]:port'],
    [['--health-probe-bind-address=:65536'], '--health-probe-bind-address', '0 to 65535'],
    [['--metrics-bind-address='], '--metrics-bind-address', '""'],
    [['--namespace=Tenants'], '--namespace', 'DNS-1123 label'],
    [['--namespace=' + 'a'.repeat(64)], '--namespace', 'DNS-1123 label'],
    [['--leader-election-namespace=a_b'], '--leader-election-namespace', 'DNS-1123 label'],
    [['--leader-election-id=Lease!'], '--leader-election-id', 'DNS-1123 subdomain'],
    [['--log-level=trace'], '--log-level', 'debug, info, warn or error'],
    [['--log-level='], '--log-level', '""'],
    [['--leader-elect=yes'], '--leader-elect', 'true or false'],
    [['--leader-elect', '--shards=0'], '--shards', 'an integer 1-1024'],
    [['--leader-elect', '--shards=1025'], '--shards', '"1025"'],
    [['--leader-elect', '--shards=two'], '--shards', '"two"'],
    [['--replica-id=has space'], '--replica-id', 'printable'],
    [['--replica-id=' + 'r'.repeat(254)], '--replica-id', 'at most 253'],
  ])('%j names %s', (argv, flag, fragment) => {
    const err = flagError(argv);
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(flag);
    expect(err.message).toContain(fragment);
  });

  it('says what an invalid value is and what is accepted', () => {
    expect(flagError(['--hub-concurrency=abc']).message).toBe(
      'invalid value "abc" for --hub-concurrency: expected an integer 1-1000',
    );
  });

  it('rejects a renew deadline not shorter than the lease, or too short for the retry period', () => {
    const renew = flagError(['--lease-duration=10s']);
    expect(renew.flag).toBe('--renew-deadline');
    expect(renew.message).toBe('--renew-deadline=10s must be less than --lease-duration=10s');
    const retry = flagError(['--retry-period=9s']);
    expect(retry.flag).toBe('--retry-period');
    expect(retry.message).toBe('--retry-period=9s × 1.2 must be less than --renew-deadline=10s');
    expect(parse('--retry-period=8s', '--renew-deadline=10s').leaderElection.retryPeriodMs).toBe(
      8_000,
    );
    expect(flagError(['--retry-period=8400ms']).flag).toBe('--retry-period');
  });

  it('refuses more than one shard without leader election', () => {
    const err = flagError(['--shards=3']);
    expect(err.flag).toBe('--shards');
    expect(err.message).toBe(
      '--shards=3 needs --leader-elect: the hub and form controllers must run on one replica',
    );
    expect(parse('--shards=1').sharding.shards).toBe(1);
  });

  it('asks for a value at the end of the arguments', () => {
    const err = flagError(['--namespace']);
    expect(err.flag).toBe('--namespace');
    expect(err.message).toBe('flag needs an argument: --namespace');
  });

  it('names an unknown flag and suggests a close one', () => {
    const typo = flagError(['--node-concurency=3']);
    expect(typo.flag).toBe('--node-concurency');
    expect(typo.message).toBe('unknown flag --node-concurency (did you mean --node-concurrency?)');
    expect(flagError(['--leader-election']).message).toContain('did you mean --leader-election-');
    expect(flagError(['-metrics-bind-adress', ':1']).message).toBe(
      'unknown flag -metrics-bind-adress (did you mean --metrics-bind-address?)',
    );
    const far = flagError(['--enable-pprof']);
    expect(far.message).toBe('unknown flag --enable-pprof');
  });

  it('rejects positional arguments, with a hint for a detached boolean value', () => {
    const positional = flagError(['run']);
    expect(positional.flag).toBe('run');
    expect(positional.message).toContain('unexpected argument "run"');
    expect(flagError(['--leader-elect', 'false']).message).toContain('--flag=false');
    expect(flagError(['--']).flag).toBe('--');
  });

  it('serves metrics securely by default (Lynq), plain with --metrics-secure=false', () => {
    expect(parse('--metrics-secure').metrics.secure).toBe(true);
    expect(parse('--metrics-secure=true').metrics.secure).toBe(true);
    expect(parse('--metrics-secure=false').metrics.secure).toBe(false);
    expect(
      parse(
        '--metrics-cert-path=/tmp/k8s-metrics-server/metrics-certs',
        '--metrics-cert-name=cert.pem',
        '--metrics-cert-key=key.pem',
      ).metrics,
    ).toEqual({
      secure: true,
      certPath: '/tmp/k8s-metrics-server/metrics-certs',
      certName: 'cert.pem',
      keyName: 'key.pem',
    });
    expect(flagError(['--metrics-cert-name=a/tls.crt']).flag).toBe('--metrics-cert-name');
    expect(flagError(['--metrics-cert-key=']).flag).toBe('--metrics-cert-key');
    const plainWithCert = flagError(['--metrics-secure=false', '--metrics-cert-path=/certs']);
    expect(plainWithCert.flag).toBe('--metrics-cert-path');
    expect(plainWithCert.message).toContain('only with --metrics-secure');
  });

  it('refuses zap settings it cannot honour, with a hint', () => {
    const numeric = flagError(['--zap-log-level=2']);
    expect(numeric.flag).toBe('--zap-log-level');
    expect(numeric.message).toContain('numeric levels are not supported');
    expect(flagError(['--zap-log-level=warn']).message).toContain('debug, info or error');
    expect(flagError(['--zap-encoder=console']).message).toContain('only JSON');
    const devel = flagError(['--zap-devel']);
    expect(devel.flag).toBe('--zap-devel');
    expect(devel.message).toContain('--log-level=debug');
  });
});

describe('help', () => {
  it.each([['--help'], ['-h'], ['-help'], ['--help=true']])('%s asks for the usage', (arg) => {
    expect(() => parse('--hub-concurrency=2', arg)).toThrow(HelpRequested);
  });

  it('documents every flag with its default', () => {
    for (const flag of [
      '--metrics-bind-address ADDR',
      '--health-probe-bind-address ADDR',
      '--leader-elect ',
      '--leader-election-id NAME',
      '--leader-election-namespace NS',
      '--lease-duration D',
      '--renew-deadline D',
      '--retry-period D',
      '--shards N',
      '--replica-id NAME',
      '--hub-concurrency N',
      '--form-concurrency N',
      '--node-concurrency N',
      '--kubeconfig PATH',
      '--namespace NS',
      '--log-level LEVEL',
      '--zap-log-level LEVEL',
      '--zap-encoder json',
      '--graceful-shutdown-timeout D',
      '--enable-nunjucks-templates',
      '--render-processes N',
      '--render-timeout D',
      '--render-memory-limit-mb N',
      '--datasource-pool-size N',
      '--datasource-connect-timeout D',
      '--datasource-query-timeout D',
      '--datasource-idle-timeout D',
      '--datasource-max-rows N',
      '--datasource-max-result-bytes BYTES',
    ])
      expect(USAGE).toContain(flag);
    expect(USAGE).toMatch(/--metrics-secure .*=false: plain HTTP \(default true\)/);
    expect(USAGE).toMatch(/--metrics-cert-path DIR .*self-signed/);
    expect(USAGE).toMatch(/--metrics-cert-name FILE .*\(default tls\.crt\)/);
    expect(USAGE).toMatch(/--metrics-cert-key FILE .*\(default tls\.key\)/);
    expect(USAGE).toMatch(/--health-probe-bind-address ADDR .*\(default :8081\)/);
    expect(USAGE).toMatch(/--leader-election-id NAME .*\(default f2130106\.lynq\.sh\)/);
    expect(USAGE).toMatch(/--datasource-max-result-bytes BYTES .*\(default 64Mi\)/);
    expect(USAGE).toMatch(/--shards N .*needs --leader-elect \(default 1\)/);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5h', 5_400_000],
    ['1.1s', 1_100],
    ['.5s', 500],
    ['+2s', 2_000],
    ['-2s', -2_000],
    ['100us', 1],
    ['100µs', 1],
    ['1500000ns', 2],
    ['2ms500us', 3],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '5', 's', '1.s5', '1 s', '1d', '1S', '-', '1m-30s', 'ms', '.s'])(
    '%j is malformed',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('parseBindAddress', () => {
  it.each([
    [':8080', { port: 8080 }],
    ['0.0.0.0:8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['[::]:9443', { host: '::', port: 9443 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['0', undefined],
  ])('%s', (text, address) => {
    expect(parseBindAddress('--x', text)).toEqual(address);
  });

  it.each(['', '8080', ':', ':http', '::1:8080', '[::1]', 'host:70000', 'a b:80', ':-1'])(
    '%j is refused',
    (text) => {
      expect(() => parseBindAddress('--x', text)).toThrow(FlagError);
    },
  );
});
