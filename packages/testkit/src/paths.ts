import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of every cache the testkit writes: `$LYNQ_CACHE_DIR` or `~/.cache/lynq`. */
export function cacheRoot(): string {
  const fromEnv = process.env['LYNQ_CACHE_DIR'];
  return fromEnv !== undefined && fromEnv !== ''
    ? resolve(fromEnv)
    : join(homedir(), '.cache', 'lynq');
}

/**
 * Everything a running local cluster owns: state file, pids, certs, kubeconfig, logs, etcd data.
 * `$LYNQ_CLUSTER_DIR` gives a test run its own cluster (the binary cache stays shared).
 */
export function stateDir(): string {
  const fromEnv = process.env['LYNQ_CLUSTER_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(cacheRoot(), 'cluster');
}

export function clusterPaths(root: string = stateDir()) {
  return {
    root,
    stateFile: join(root, 'state.json'),
    lockDir: join(root, '.lock'),
    pidDir: join(root, 'pids'),
    usersDir: join(root, 'users'),
    logDir: join(root, 'logs'),
    pkiDir: join(root, 'pki'),
    dataDir: join(root, 'data'),
    etcdDataDir: join(root, 'data', 'etcd'),
    kubeconfig: join(root, 'kubeconfig'),
    kwokConfig: join(root, 'kwok.yaml'),
  } as const;
}

export type ClusterPaths = ReturnType<typeof clusterPaths>;

/** The monorepo root, found by walking up from this file to tools/control-plane/build.sh. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'tools', 'control-plane', 'build.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    dir = parent;
  }
}

export function buildScript(): string {
  return join(repoRoot(), 'tools', 'control-plane', 'build.sh');
}
