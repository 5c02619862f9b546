// npm run bench -w @lynq/bench-e2e -- --rows 220 [--resources 5] [--idle-seconds 120] [...]
// Rows to Ready workloads on the full local control plane: the bare SSA limit, the operator
// (time to Ready, API writes and CPU at rest, memory), and row-change latency over MySQL polling
// and PostgreSQL NOTIFY. See README.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestClient } from '@lynq/runtime';
import { ensureControlPlane, imageEnvironment, installCrds, uniqueName } from '@lynq/testkit';
import { Cleanup, checkPodRoom, controlPlanePids, log, round, type Bench } from './bench.js';
import {
  Res,
  clearFinalizers,
  connect,
  createNamespace,
  deleteNamespace,
  loadKubeConfig,
} from './kube.js';
import { ConfigMapWatch, latencySeries, stats } from './latency.js';
import {
  DOCKERFILE,
  OPERATOR_MAIN,
  REPO_ROOT,
  staleBuildWarning,
  startOperator,
} from './operator.js';
import { OptionError, USAGE, parseOptions, type BenchOptions } from './options.js';
import { MemorySampler } from './procfs.js';
import { mysqlSource, postgresSource, provision, steadyState } from './provision.js';
import { rawPhase } from './raw.js';
import { formatReport, kindsOf, type MemoryFigures, type Results } from './report.js';
import { mysqlRowTable, pgRowTable } from './tables.js';
import { hasDeployment, rows as makeRows } from './workload.js';

const MYSQL_SYNC = '30s';
const MYSQL_SYNC_MS = 30_000;
const PG_SYNC = '1h';

function commit(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'apps', 'packages') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

const mib = (kib: number) => round(kib / 1024, 1);

/** The bench's namespace goes last: the operator has stopped, so its finalizers are cleared first. */
async function dropNamespace(rest: RestClient, namespace: string, options: BenchOptions) {
  for (const type of [Res.Node, Res.Hub, Res.Form])
    await clearFinalizers(rest, type, namespace, options.concurrency);
  log(`deleting namespace ${namespace}`);
  const seconds = await deleteNamespace(rest, namespace, {
    timeoutMs: options.phaseTimeoutMs,
    progress: log,
  });
  log(`namespace ${namespace} gone after ${seconds.toFixed(1)} s`);
}

async function run(options: BenchOptions, cleanup: Cleanup): Promise<Results> {
  const warning = staleBuildWarning();
  if (warning?.includes('does not exist') === true) throw new Error(warning);
  if (warning !== undefined) log(`WARNING: ${warning}`);
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();

  const plane = await ensureControlPlane({
    profile: 'full',
    // --keep leaves objects to look at: a cluster the bench started then stays up too.
    owner: options.keep ? 'cli' : 'test-run',
  });
  cleanup.add('use of the control plane', () => plane.stop());
  if (plane.profile !== 'full')
    throw new Error(`the bench needs the full control plane, the cluster is ${plane.profile}`);
  const clusterDir = process.env['LYNQ_CLUSTER_DIR'] ?? '~/.cache/lynq/cluster';
  log(`cluster ${plane.started ? 'started' : 'reused'}: ${plane.kubeconfigPath}`);

  const rest = await connect(plane.kubeconfigPath);
  cleanup.add('client', async () => rest.close());
  const b: Bench = {
    options,
    rest,
    kubeconfig: plane.kubeconfigPath,
    planePids: await controlPlanePids(),
    cleanup,
  };
  const rows = makeRows(options.rows, 'row');
  if (hasDeployment(options.resources))
    await checkPodRoom(b, options.rows + (options.skipLatency ? 0 : options.pgRows));
  await installCrds(loadKubeConfig(plane.kubeconfigPath));

  const raw = options.skipRaw ? undefined : await rawPhase(b, rows);

  const namespace = uniqueName('bench-e2e');
  await createNamespace(rest, namespace);
  cleanup.add(`namespace ${namespace}`, () => dropNamespace(rest, namespace, options), true);
  const table = await mysqlRowTable();
  cleanup.add(`MariaDB table test.${table.name}`, () => table.drop(), true);
  cleanup.add('MariaDB pool', () => table.close());

  const logDir = mkdtempSync(join(tmpdir(), 'lynq-bench-e2e-'));
  const logFile = join(logDir, 'operator.log');
  // In a cluster the operator runs in the image, with its NODE_OPTIONS; so does the bench.
  const operatorEnv = options.nodeDefaults ? {} : imageEnvironment(DOCKERFILE);
  log(
    `starting ${OPERATOR_MAIN} for namespace ${namespace} with ${JSON.stringify(operatorEnv)}${options.nodeDefaults ? '' : " (the image's)"}; log ${logFile}`,
  );
  const op = await startOperator({
    kubeconfig: plane.kubeconfigPath,
    namespace,
    logFile,
    args: options.operatorArgs,
    nodeOptions: options.nodeOptions,
    env: operatorEnv,
  });
  cleanup.add('operator', async () => {
    const status = await op.stop();
    log(`operator stopped (${status.signal ?? `code ${status.code}`})`);
  });
  const memory = new MemorySampler(op.pid);
  const first = memory.start();
  cleanup.add('memory sampler', async () => memory.stop());
  const failFast = () => {
    const s = op.exitStatus();
    return s === undefined
      ? undefined
      : `the operator exited (${s.signal ?? `code ${s.code}`}); log ${logFile}`;
  };

  const operator = await provision(
    b,
    op,
    namespace,
    { hub: 'bench', form: 'web', rows, source: mysqlSource(table.name, MYSQL_SYNC), table },
    'operator',
  );
  const steady = options.idleSeconds > 0 ? await steadyState(b, op, memory) : undefined;
  const atSteady = memory.samples[memory.samples.length - 1];

  const latency: Results['latency'] = {};
  if (!options.skipLatency) {
    const watch = new ConfigMapWatch(rest, namespace);
    await watch.start();
    cleanup.add('ConfigMap watch', () => watch.stop());
    log(
      `MySQL polling: ${options.changes} changes, each after a random pause within one syncInterval (${MYSQL_SYNC})`,
    );
    const mysqlSamples = await latencySeries({
      label: 'MySQL',
      table,
      rows,
      watch,
      changes: options.changes,
      // Uniform over one sync period: a change lands anywhere in the polling cycle, as in real use.
      pauseMs: () => Math.random() * MYSQL_SYNC_MS,
      timeoutMs: 2 * MYSQL_SYNC_MS + 60_000,
      failFast,
    });
    latency.mysql = stats('MySQL polling', MYSQL_SYNC, mysqlSamples);

    const pgTable = await pgRowTable();
    cleanup.add(`PostgreSQL schema ${pgTable.schema ?? ''}`, () => pgTable.drop(), true);
    cleanup.add('PostgreSQL pool', () => pgTable.close());
    // Steps run last-registered first: stop the operator before its PostgreSQL schema goes.
    cleanup.add('operator', () => op.stop());
    const pgRows = makeRows(options.pgRows, 'pg');
    latency.pgProvision = await provision(
      b,
      op,
      namespace,
      {
        hub: 'bench-pg',
        form: 'web-pg',
        rows: pgRows,
        source: postgresSource(pgTable.schema ?? '', pgTable.name, PG_SYNC),
        table: pgTable,
      },
      'PostgreSQL hub',
    );
    log(`PostgreSQL NOTIFY: ${options.changes} changes, 0.2–1.2 s apart`);
    const pgSamples = await latencySeries({
      label: 'PostgreSQL',
      table: pgTable,
      rows: pgRows,
      watch,
      changes: options.changes,
      pauseMs: () => 200 + Math.random() * 1_000,
      timeoutMs: 60_000,
      failFast,
    });
    latency.postgres = stats('PostgreSQL NOTIFY', PG_SYNC, pgSamples);
  }
  memory.stop();
  const last = memory.samples[memory.samples.length - 1];

  const memoryFigures: MemoryFigures = {
    start: { rssMiB: mib(first.rssKiB), pssMiB: mib(first.pssKiB) },
    peak: { rssMiB: mib(memory.peakRssKiB), pssMiB: mib(memory.peakPssKiB) },
    steady:
      steady !== undefined && atSteady !== undefined
        ? { rssMiB: mib(atSteady.rssKiB), pssMiB: mib(atSteady.pssKiB) }
        : undefined,
    processes: last?.processes ?? first.processes,
    samples: memory.samples.length,
  };
  return {
    startedAt,
    commit: commit(),
    machine: { cpus: cpus().length, loadAverage: loadBefore },
    cluster: { dir: clusterDir, kubeconfig: plane.kubeconfigPath, startedByBench: plane.started },
    options: { ...options },
    workload: {
      rows: options.rows,
      resources: options.resources,
      kinds: kindsOf(options.resources),
    },
    raw,
    operator,
    ratio: raw !== undefined ? round(operator.seconds / raw.seconds, 2) : undefined,
    steady,
    memory: memoryFigures,
    latency,
    operatorLog: logFile,
    operatorArgs: [...op.args],
    nodeOptions: options.nodeOptions,
    operatorEnv,
  };
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  const cleanup = new Cleanup();
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: cleaning up (Ctrl-C again quits at once)`);
    void cleanup.run(options.keep).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const results = await run(options, cleanup);
    const report = formatReport(results);
    console.log(`\n${report}`);
    if (options.json !== undefined) {
      writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
      log(`results written to ${options.json}`);
    }
    return 0;
  } catch (err) {
    // After a signal, the cleanup stops the operator under the running phase: not a finding.
    if (!interrupted) log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await cleanup.run(options.keep);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
