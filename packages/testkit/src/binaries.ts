import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TestkitError, errorMessage } from './errors.js';
import { buildScript } from './paths.js';

const execFileAsync = promisify(execFile);

export type Profile = 'api' | 'full';

export function parseProfile(value: string | undefined, fallback: Profile = 'api'): Profile {
  if (value === undefined || value === '') return fallback;
  if (value === 'api' || value === 'full') return value;
  throw new TestkitError('BAD_ARGS', `unknown profile "${value}" (expected api or full)`);
}

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager?: string;
  kubeScheduler?: string;
  kwok?: string;
  /** kwok Stage objects (YAML) written by build.sh next to the binaries. */
  kwokStages?: string;
  /** Where the binaries came from, for status output. */
  source: 'build' | 'KUBEBUILDER_ASSETS';
}

/** Measured on the 2-core development machine, see packages/testkit/README.md. */
export const COLD_BUILD_MINUTES = 25;

const allNames = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'etcd',
  'kwok',
] as const;

function fromBinDir(bin: string): Binaries {
  return {
    etcd: join(bin, 'etcd'),
    kubeApiserver: join(bin, 'kube-apiserver'),
    kubeControllerManager: join(bin, 'kube-controller-manager'),
    kubeScheduler: join(bin, 'kube-scheduler'),
    kwok: join(bin, 'kwok'),
    kwokStages: join(dirname(bin), 'kwok-stages.yaml'),
    source: 'build',
  };
}

function complete(bin: string): boolean {
  return (
    existsSync(join(dirname(bin), '.complete')) &&
    existsSync(join(dirname(bin), 'kwok-stages.yaml')) &&
    allNames.every((name) => existsSync(join(bin, name)))
  );
}

/** The cache directory build.sh builds into for the pinned versions (without building). */
export async function builtBinDir(): Promise<string> {
  try {
    const { stdout } = await execFileAsync('bash', [buildScript(), '--print-dir']);
    return stdout.trim();
  } catch (err) {
    throw new TestkitError(
      'BUILD_FAILED',
      `tools/control-plane/build.sh --print-dir: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}

function runBuild(): Promise<string> {
  return new Promise((resolveDir, reject) => {
    const child = spawn('bash', [buildScript()], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', (err) =>
      reject(
        new TestkitError('BUILD_FAILED', `cannot run build.sh: ${err.message}`, { cause: err }),
      ),
    );
    child.on('exit', (code) => {
      if (code === 0) resolveDir(out.trim().split('\n').pop() ?? '');
      else
        reject(
          new TestkitError(
            'BUILD_FAILED',
            `tools/control-plane/build.sh exited with ${String(code)}`,
          ),
        );
    });
  });
}

/**
 * Finds the control plane binaries for `profile`: envtest's from KUBEBUILDER_ASSETS (api profile
 * only), otherwise the cached build, running tools/control-plane/build.sh first when it is missing.
 */
export async function resolveBinaries(profile: Profile): Promise<Binaries> {
  const assets = process.env['KUBEBUILDER_ASSETS'];
  if (assets !== undefined && assets !== '' && profile === 'api') {
    const found: Binaries = {
      etcd: join(assets, 'etcd'),
      kubeApiserver: join(assets, 'kube-apiserver'),
      source: 'KUBEBUILDER_ASSETS',
    };
    for (const file of [found.etcd, found.kubeApiserver]) {
      if (!existsSync(file)) {
        throw new TestkitError(
          'BINARY_MISSING',
          `KUBEBUILDER_ASSETS is set but ${file} does not exist`,
        );
      }
    }
    return found;
  }
  const bin = await builtBinDir();
  if (!allNames.every((name) => existsSync(join(bin, name)))) {
    process.stderr.write(
      `lynq testkit: control plane binaries not found in ${bin}\n` +
        `lynq testkit: building them now with tools/control-plane/build.sh; the first build costs about ` +
        `${COLD_BUILD_MINUTES} minutes on 2 cores (later runs reuse the cache)\n`,
    );
  }
  // A no-op (~0.1 s) when everything is there; also refreshes the generated kwok stages.
  const built = await runBuild();
  if (!complete(built)) {
    throw new TestkitError('BINARY_MISSING', `build.sh finished but ${built} is incomplete`);
  }
  return fromBinDir(built);
}
