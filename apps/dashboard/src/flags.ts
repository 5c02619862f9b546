// Command-line flags of lynq-dashboard. Bad flags are a FlagError naming the flag (exit 2).

export interface DashboardConfig {
  /** host:port to listen on. */
  host: string;
  port: number;
  kubeconfig?: string;
  context?: string;
  /** Watch only this namespace (default: all namespaces). */
  namespace?: string;
  publicDir?: string;
  /** Kinds searched for orphaned objects (default: every kind of a form's typed lists). */
  orphanKinds?: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Host names accepted besides loopback, IPs and cluster names (an Ingress host). */
  allowedHosts?: string[];
}

export class FlagError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'FlagError';
  }
}

export class HelpRequested extends Error {}

export const USAGE = `Usage: lynq-dashboard [flags]

Read-only web dashboard for Lynq (hubs, forms, nodes, resources), live.

  --addr host:port        where to listen (default 127.0.0.1:8080; in a pod use 0.0.0.0:8080)
  --kubeconfig path       kubeconfig to use (default: KUBECONFIG, in-cluster, ~/.kube/config)
  --context name          kubeconfig context (default: the current one)
  --namespace name        show only this namespace (default: all namespaces)
  --orphan-kinds k1,k2    kinds searched for lynq.sh/orphaned=true (default: the 15 kinds of a
                          form's typed lists; leave out Secret when the role may not list Secrets)
  --allowed-hosts h1,h2   Host names to answer besides localhost (and, off loopback, IPs and
                          cluster names such as svc.ns.svc): an Ingress host; others get 403
  --public-dir path       the built UI (default: next to the program)
  --log-level level       debug, info, warn or error (default info)
  -h, --help              this text
`;

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function parseAddr(value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  if (m === null) throw new FlagError('--addr', `"${value}" is not host:port`);
  const port = Number(m[2]);
  if (port > 65535) throw new FlagError('--addr', `port ${port} is out of range`);
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function parseFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  knownOrphanKinds: readonly string[] = [],
): DashboardConfig {
  const config: DashboardConfig = {
    ...parseAddr(env['LYNQ_DASHBOARD_ADDR'] ?? '127.0.0.1:8080'),
    logLevel: 'info',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') throw new HelpRequested();
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new FlagError(flag, 'needs a value');
      return next;
    };
    switch (flag) {
      case '--addr':
        Object.assign(config, parseAddr(value()));
        break;
      case '--kubeconfig':
        config.kubeconfig = value();
        break;
      case '--context':
        config.context = value();
        break;
      case '--namespace':
        config.namespace = value();
        break;
      case '--orphan-kinds': {
        const kinds = value()
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
        const unknown = kinds.filter((k) => !knownOrphanKinds.includes(k));
        if (unknown.length > 0)
          throw new FlagError(
            flag,
            `unknown kind ${unknown.join(', ')} (known: ${knownOrphanKinds.join(', ')})`,
          );
        config.orphanKinds = kinds;
        break;
      }
      case '--allowed-hosts':
        config.allowedHosts = value()
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== '');
        break;
      case '--public-dir':
        config.publicDir = value();
        break;
      case '--log-level': {
        const level = value();
        if (!(LEVELS as readonly string[]).includes(level))
          throw new FlagError(flag, `"${level}" is not one of ${LEVELS.join(', ')}`);
        config.logLevel = level as DashboardConfig['logLevel'];
        break;
      }
      default:
        throw new FlagError(arg, 'unknown flag');
    }
  }
  return config;
}
