// vitest globalSetup: `globalSetup: ['@lynq/testkit/global-setup']`. Starts or reuses one control
// plane for the whole run (profile from LYNQ_TEST_PROFILE, default api); stops it afterwards only
// if this run started it and no other run is using it.
import { ensureControlPlane } from './control-plane.js';

interface ProvideTarget {
  provide?: (key: string, value: unknown) => void;
}

export default async function setup(project?: ProvideTarget): Promise<() => Promise<void>> {
  const plane = await ensureControlPlane();
  process.env['LYNQ_KUBECONFIG'] = plane.kubeconfigPath;
  project?.provide?.('lynqKubeconfig', plane.kubeconfigPath);
  project?.provide?.('lynqProfile', plane.profile);
  return () => plane.stop();
}
