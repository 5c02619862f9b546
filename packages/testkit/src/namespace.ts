import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import { testKubeconfigPath } from './control-plane.js';
import { waitFor } from './proc.js';
import { uniqueName } from './names.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lynqKubeconfig: string;
    lynqProfile: string;
  }
}

export interface TestNamespace {
  /** Namespace name, unique per call; the namespace exists from beforeAll until afterAll. */
  readonly name: string;
  /** Loaded from the test cluster's kubeconfig in beforeAll. */
  readonly kubeConfig: KubeConfig;
}

export interface TestNamespaceOptions {
  prefix?: string;
  /** Wait until the namespace is really gone in afterAll (needs the namespace controller: profile full). */
  waitForDeletion?: boolean;
}

/** The kubeconfig path for this test run (from the global setup, LYNQ_TEST_KUBECONFIG or the default). */
export function kubeconfigPath(): string {
  try {
    const provided: unknown = inject('lynqKubeconfig');
    if (typeof provided === 'string' && provided !== '') return provided;
  } catch {
    // not inside a vitest worker
  }
  return process.env['LYNQ_KUBECONFIG'] ?? testKubeconfigPath();
}

/** A KubeConfig for the test cluster. */
export function loadTestKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/**
 * Gives the calling test file its own namespace: created in beforeAll, deleted in afterAll.
 * Call at the top level of a test file (or inside a describe block).
 */
export function useTestNamespace(options: TestNamespaceOptions = {}): TestNamespace {
  const name = uniqueName(options.prefix ?? 'lynq-test');
  const kubeConfig = new KubeConfig();
  beforeAll(async () => {
    kubeConfig.loadFromFile(kubeconfigPath());
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name } } });
  });
  afterAll(async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    try {
      await core.deleteNamespace({ name, propagationPolicy: 'Background' });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return;
      throw err;
    }
    if (options.waitForDeletion === true) {
      await waitFor(
        `namespace ${name} deleted`,
        async () => {
          try {
            await core.readNamespace({ name });
            return false;
          } catch (err) {
            if (err instanceof ApiException && err.code === 404) return true;
            throw err;
          }
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    }
  });
  return { name, kubeConfig };
}
