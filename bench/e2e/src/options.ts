// Command line of the bench: `npm run bench -w @lynq/bench-e2e -- --rows 220 [...]`.

export interface BenchOptions {
  /** Rows of the MySQL table (one LynqNode, and one Deployment replica, each). */
  rows: number;
  /** Resources per row: 2 = ServiceAccount + ConfigMap, 3 = + Deployment, 4 = + Service, 5 = + Ingress. */
  resources: number;
  /** Length of the steady-state window. */
  idleSeconds: number;
  skipRaw: boolean;
  skipLatency: boolean;
  /** Extra operator flags, each one element (`--node-concurrency=20`). */
  operatorArgs: string[];
  /** Node.js flags for the operator process (`--cpu-prof --cpu-prof-dir=/tmp/prof`). */
  nodeOptions: string[];
  /** Run the operator without the image's environment (NODE_OPTIONS), with Node's defaults. */
  nodeDefaults: boolean;
  /** Leave the namespaces, tables and objects in place. */
  keep: boolean;
  /** Also write every figure as JSON to this file. */
  json: string | undefined;
  /**
   * Give up on a phase (provisioning, deletion) after this long. Default 15 min, or 1 s per row
   * when that is longer (2,200 rows took 21 min on 2 busy cores).
   */
  phaseTimeoutMs: number;
  /** Row changes per latency series. */
  changes: number;
  /** Rows of the PostgreSQL hub of the NOTIFY series. */
  pgRows: number;
  /** Requests in flight in the raw phase. */
  concurrency: number;
}

export const USAGE = `usage: npm run bench -w @lynq/bench-e2e -- [options]

  --rows N                 rows of the MySQL hub (default 220)
  --resources N            resources per row, 2..5 (default 5): ServiceAccount, ConfigMap,
                           Deployment, Service, Ingress, in that order
  --idle-seconds S         steady-state window once everything is Ready (default 120)
  --changes N              row changes per latency series (default 20)
  --pg-rows N              rows of the PostgreSQL NOTIFY hub (default 20)
  --concurrency N          requests in flight in the raw phase (default 32)
  --phase-timeout-minutes M  give up on a phase after M minutes (default 15, or 1 s per
                           row when that is longer)
  --skip-raw               no raw SSA phase
  --skip-latency           no row-change latency series
  --operator-arg=FLAG      an operator flag (repeatable), e.g. --operator-arg=--node-concurrency=20
  --node-options "FLAGS"   Node.js flags for the operator, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  --node-defaults          run the operator with Node's defaults instead of the environment the
                           image sets (NODE_ENV, NODE_OPTIONS from the Dockerfile)
  --keep                   leave namespaces, tables and objects for inspection
  --json FILE              write all results as JSON to FILE`;

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(value) || value < min || value > max)
    throw new OptionError(
      `${flag} must be an integer from ${min} to ${max}, got ${text ?? 'nothing'}`,
    );
  return value;
}

/** Parses argv (without node and the script); `--flag value` and `--flag=value` both work. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    rows: 220,
    resources: 5,
    idleSeconds: 120,
    skipRaw: false,
    skipLatency: false,
    operatorArgs: [],
    nodeOptions: [],
    nodeDefaults: false,
    keep: false,
    json: undefined,
    phaseTimeoutMs: 0,
    changes: 20,
    pgRows: 20,
    concurrency: 32,
  };
  let timeoutMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new OptionError(`${flag} needs a value`);
      return next;
    };
    const noValue = () => {
      if (inline !== undefined) throw new OptionError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--rows':
        options.rows = integer(flag, value(), 1, 100_000);
        break;
      case '--resources':
        options.resources = integer(flag, value(), 2, 5);
        break;
      case '--idle-seconds':
        options.idleSeconds = integer(flag, value(), 0, 24 * 3600);
        break;
      case '--changes':
        options.changes = integer(flag, value(), 1, 10_000);
        break;
      case '--pg-rows':
        options.pgRows = integer(flag, value(), 1, 10_000);
        break;
      case '--concurrency':
        options.concurrency = integer(flag, value(), 1, 1024);
        break;
      case '--phase-timeout-minutes':
        timeoutMs = integer(flag, value(), 1, 24 * 60) * 60_000;
        break;
      case '--skip-raw':
        noValue();
        options.skipRaw = true;
        break;
      case '--skip-latency':
        noValue();
        options.skipLatency = true;
        break;
      case '--node-defaults':
        noValue();
        options.nodeDefaults = true;
        break;
      case '--keep':
        noValue();
        options.keep = true;
        break;
      case '--operator-arg':
        options.operatorArgs.push(value());
        break;
      case '--node-options':
        options.nodeOptions.push(
          ...value()
            .split(/\s+/)
            .filter((s) => s !== ''),
        );
        break;
      case '--json':
        options.json = value();
        break;
      case '-h':
      case '--help':
        return 'help';
      default:
        throw new OptionError(`unknown argument ${arg}`);
    }
  }
  options.phaseTimeoutMs = timeoutMs ?? Math.max(15 * 60_000, options.rows * 1_000);
  return options;
}
