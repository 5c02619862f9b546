#!/usr/bin/env node
// lynq-dashboard: flags → informers → HTTP server. Read-only; SIGTERM/SIGINT stop it cleanly.
import { fileURLToPath } from 'node:url';
import {
  jsonLogger,
  loadClusterCredentials,
  RestClient,
  runProgram,
  stopSignal,
} from '@lynq/runtime';
import { ClusterSource, ORPHAN_KINDS } from './cluster-source.js';
import { FlagError, HelpRequested, USAGE, parseFlags, type DashboardConfig } from './flags.js';
import { LiveState } from './live-state.js';
import { liveReader } from './live-reader.js';
import { hostRule } from './hosts.js';
import { DashboardServer } from './server.js';

/** The built UI: dist/public next to dist/main.js, or from src/ (tsx) the package's dist/public. */
function defaultPublicDir(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../dist/public' : './public', here));
}

async function run(config: DashboardConfig): Promise<number> {
  const logger = jsonLogger({ level: config.logLevel });
  let credentials;
  try {
    credentials = await loadClusterCredentials({
      ...(config.kubeconfig !== undefined ? { path: config.kubeconfig } : {}),
      ...(config.context !== undefined ? { context: config.context } : {}),
    });
  } catch (err) {
    logger.log('error', 'cannot load the kubeconfig', {
      error: err instanceof Error ? err.message : String(err),
    });
    return 1;
  }
  // The informers' client is not bounded (their watches have connections of their own, but their
  // lists should never wait behind page reads); node pages read through a client of their own.
  const client = new RestClient(credentials, { userAgent: 'lynq-dashboard' });
  const readClient = new RestClient(credentials, { userAgent: 'lynq-dashboard', maxSockets: 8 });
  const state = new LiveState();
  const source = new ClusterSource({
    client,
    state,
    logger,
    ...(config.namespace !== undefined ? { namespace: config.namespace } : {}),
    ...(config.orphanKinds !== undefined ? { orphanKinds: config.orphanKinds } : {}),
  });
  const server = new DashboardServer({
    state,
    read: liveReader(readClient),
    publicDir: config.publicDir ?? defaultPublicDir(),
    logger,
    problems: () => source.problems(),
    // Unknown Host names are refused (DNS rebinding, also through kubectl port-forward): see hosts.ts.
    allowedHosts: hostRule(config.host, config.allowedHosts),
  });
  source.start();
  const address = await server.listen(config.port, config.host);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.log('info', 'dashboard listening', {
    url: `http://${shown === '127.0.0.1' ? 'localhost' : shown}:${address.port}/`,
    cluster: client.server.origin,
    namespace: config.namespace ?? '(all)',
  });
  const signal = await stopSignal();
  logger.log('info', 'shutting down', { signal });
  await server.close();
  await source.stop();
  state.close();
  return 0;
}

void runProgram({
  name: 'lynq-dashboard',
  usage: USAGE,
  parseFlags: () =>
    parseFlags(
      process.argv.slice(2),
      process.env,
      ORPHAN_KINDS.map((t) => t.kind),
    ),
  helpRequested: HelpRequested,
  flagError: FlagError,
  run,
});
