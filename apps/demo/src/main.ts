#!/usr/bin/env node
// npm start: control plane, tenants table, CRDs + hub + form, the operator, and a live table.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '@lynq/apply';
import { installCrds } from '@lynq/testkit';
import { ClusterState } from './cluster-state.js';
import { startControlPlane, stopHint } from './control-plane.js';
import { MANIFEST_DIR, MANIFEST_FILES, applyManifests, readManifests } from './manifests.js';
import { OperatorProcess } from './operator.js';
import { Screen } from './screen.js';
import { renderTable, type Snapshot } from './table.js';
import { SEED_FILE, TABLE, ensureTenantsTable } from './tenants.js';

const NAMESPACE = 'lynq-demo';
const OPERATOR_MAIN = fileURLToPath(new URL('../../operator/dist/main.js', import.meta.url));
const LOG_FILE = fileURLToPath(new URL('../logs/operator.log', import.meta.url));
const REFRESH_MS = 1000;

const USAGE = `Usage: npm start [-- --no-operator]

Starts the local control plane, creates the MariaDB table test.${TABLE}, applies
apps/demo/manifests/ to namespace ${NAMESPACE}, runs the operator and shows its LynqNodes live.
  --no-operator   everything but the operator (run your own against namespace ${NAMESPACE})`;

const say = (line: string) => process.stdout.write(`${line}\n`);
const shown = (path: string) => relative(process.cwd(), path) || path;

function tail(file: string, lines: number): string {
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    say(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--no-operator');
  if (unknown.length > 0) {
    process.stderr.write(`npm start: unknown argument ${unknown.join(' ')}\n\n${USAGE}\n`);
    return 2;
  }
  const withOperator = !args.includes('--no-operator');
  if (withOperator && !existsSync(OPERATOR_MAIN)) {
    throw new Error(
      `${shown(OPERATOR_MAIN)} is missing: build it with npx nx run @lynq/operator:build`,
    );
  }

  say('[1/5] Local Kubernetes control plane (full profile)');
  const plane = await startControlPlane(say);

  say(`[2/5] MariaDB table test.${TABLE}`);
  const table = await ensureTenantsTable();
  say(
    table.seeded
      ? `      created, ${table.rows} tenants from ${shown(SEED_FILE)}`
      : `      kept as it is: ${table.rows} rows`,
  );

  say(`[3/5] CRDs, then ${MANIFEST_FILES.join(', ')} from ${shown(MANIFEST_DIR)}`);
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await installCrds(kc);
  const client = await KubeClient.fromKubeConfig(kc, { userAgent: 'lynq-demo' });
  await applyManifests(client, readManifests());
  say(`      LynqHub demo-tenants and LynqForm web in namespace ${NAMESPACE}`);

  let operator: OperatorProcess | undefined;
  // From here on, Ctrl-C ends the live view and stops the operator rather than killing the demo.
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals === 1) stop.abort();
    else operator?.kill(); // a second Ctrl-C does not wait for a graceful stop
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (withOperator) {
    say(`[4/5] Operator: node ${shown(OPERATOR_MAIN)} --namespace=${NAMESPACE}`);
    operator = await OperatorProcess.start({
      main: OPERATOR_MAIN,
      kubeconfig: plane.kubeconfigPath,
      namespace: NAMESPACE,
      logFile: LOG_FILE,
    });
    say(`      pid ${operator.pid ?? '?'}, JSON log in ${shown(LOG_FILE)}`);
  } else {
    say(`[4/5] Operator: not started (--no-operator)`);
  }

  say(
    `[5/5] Live view (Ctrl-C stops the operator). In another terminal, add a tenant:\n` +
      `      mariadb -uroot test -e "INSERT INTO ${TABLE} VALUES ('umbrella', 1, 'pro', 2)"\n`,
  );

  const state = new ClusterState(client, NAMESPACE);
  const screen = new Screen();
  let view: Pick<Snapshot, 'hubs' | 'nodes'> = { hubs: [], nodes: [] };
  while (!stop.signal.aborted && operator?.exitStatus === undefined) {
    let readError: string | undefined;
    try {
      view = await state.read();
    } catch (err) {
      readError = err instanceof Error ? err.message : String(err);
    }
    operator?.readLog();
    screen.show(
      renderTable({
        ...view,
        operator:
          operator === undefined
            ? `not started (--no-operator)`
            : `running, pid ${operator.pid ?? '?'}, log ${shown(LOG_FILE)}`,
        lastError: operator?.lastError,
        readError,
      }),
    );
    await delay(REFRESH_MS, undefined, { signal: stop.signal }).catch(() => undefined);
  }
  screen.release();

  let status = 0;
  const crashed = operator?.exitStatus;
  if (operator !== undefined && crashed !== undefined) {
    say(
      `\nThe operator exited by itself (${describeExit(crashed)}). The end of ${shown(LOG_FILE)}:`,
    );
    say(tail(LOG_FILE, 20));
    status = 1;
  } else if (operator !== undefined) {
    say('\nStopping the operator (SIGTERM) ...');
    say(
      `The operator stopped (${describeExit(await operator.stop())}). Its log: ${shown(LOG_FILE)}`,
    );
  }
  say(
    `\n${stopHint(plane)}\n` +
      `The table test.${TABLE} stays too (npm start keeps its rows); to drop it:\n` +
      `  mariadb -uroot test -e 'DROP TABLE ${TABLE}'`,
  );
  client.close();
  return status;
}

function describeExit({ code, signal }: { code: number | null; signal: string | null }): string {
  return signal !== null ? `signal ${signal}` : `exit code ${String(code)}`;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
// Keep-alive sockets of the client and the testkit must not hold the process open.
process.exit();
