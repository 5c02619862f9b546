import { parseProfile, type Profile } from './binaries.js';
import { release, up } from './cluster.js';
import { clusterPaths } from './paths.js';

export interface ControlPlane {
  kubeconfigPath: string;
  /** True when LYNQ_TEST_KUBECONFIG points at a cluster the testkit does not manage. */
  external: boolean;
  /** True when this call started the processes (false: reused a running cluster). */
  started: boolean;
  profile: Profile;
  /**
   * Releases this process's use. The processes are stopped only when a test run (not
   * `npm run cluster -- up`) started them and no other test run still uses them.
   */
  stop(): Promise<void>;
}

export interface EnsureOptions {
  profile?: Profile;
  /**
   * A private cluster in this directory instead of the shared one (e.g. for tests that restart the
   * API server). Started by this call, so stop() tears it down.
   */
  clusterDir?: string;
  /**
   * `cli`: start it as `npm run cluster -- up` does, to keep running until `npm run cluster --
   * down` (a demo); no test run's teardown stops it. Default `test-run`.
   */
  owner?: 'test-run' | 'cli';
}

function externalKubeconfig(): string | undefined {
  const value = process.env['LYNQ_TEST_KUBECONFIG'];
  return value !== undefined && value !== '' ? value : undefined;
}

/** Starts the local control plane for `profile` or reuses the running one. */
export async function ensureControlPlane(options: EnsureOptions = {}): Promise<ControlPlane> {
  const profile = options.profile ?? parseProfile(process.env['LYNQ_TEST_PROFILE']);
  const external = externalKubeconfig();
  if (external !== undefined) {
    return {
      kubeconfigPath: external,
      external: true,
      started: false,
      profile,
      stop: async () => undefined,
    };
  }
  const paths = clusterPaths(options.clusterDir);
  const result = await up({
    profile,
    owner: options.owner ?? 'test-run',
    paths,
    user: process.pid,
  });
  let stopped = false;
  return {
    kubeconfigPath: result.kubeconfig,
    external: false,
    started: result.started,
    profile: result.state.profile,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await release(paths);
    },
  };
}

/** The kubeconfig tests should use: LYNQ_TEST_KUBECONFIG, or the local cluster's admin kubeconfig. */
export function testKubeconfigPath(): string {
  return externalKubeconfig() ?? clusterPaths().kubeconfig;
}
