// The local Kubernetes control plane from @lynq/testkit, with what a first-time user needs to know.
import { clusterStatus, ensureControlPlane, type ControlPlane } from '@lynq/testkit';

const COMPONENTS = 'etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok';

/** Starts (or reuses) the `full` profile; the first start on a machine builds it, which is slow. */
export async function startControlPlane(say: (line: string) => void): Promise<ControlPlane> {
  const running = process.env['LYNQ_TEST_KUBECONFIG'] ? false : (await clusterStatus()).ready;
  if (running) {
    say('      reusing the running control plane');
  } else {
    say(
      `      ${COMPONENTS} on 127.0.0.1, with 3 fake kwok nodes that run pods without containers.\n` +
        '      If this machine has not built them yet, this start builds them from the upstream Kubernetes\n' +
        '      Go modules with your Go toolchain (no container runtime, no binary downloads). That takes\n' +
        '      several minutes: about 6 on an idle 2-core machine, up to ~25 on a busy one, and ~5 GB of Go\n' +
        '      caches. The binaries stay in ~/.cache/lynq, so later starts take 10-20 s.',
    );
  }
  const began = Date.now();
  const ticker = setInterval(() => {
    const s = Math.round((Date.now() - began) / 1000);
    say(
      `      still starting the control plane (${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s)`,
    );
  }, 30_000);
  try {
    // Started like `npm run cluster -- up`: it outlives the demo, and no test run stops it.
    const plane = await ensureControlPlane({ profile: 'full', owner: 'cli' });
    say(
      `      ready in ${((Date.now() - began) / 1000).toFixed(1)} s: KUBECONFIG=${plane.kubeconfigPath}`,
    );
    return plane;
  } finally {
    clearInterval(ticker);
  }
}

/** How to stop the control plane the demo leaves running. */
export function stopHint(plane: ControlPlane): string {
  if (plane.external)
    return `The cluster of LYNQ_TEST_KUBECONFIG (${plane.kubeconfigPath}) is yours; the demo leaves it as it is.`;
  const dir = process.env['LYNQ_CLUSTER_DIR'];
  const env = dir ? `LYNQ_CLUSTER_DIR=${dir} ` : '';
  return (
    'The local control plane keeps running (the next npm start reuses it):\n' +
    `  export KUBECONFIG=${plane.kubeconfigPath}   # for kubectl or any other client\n` +
    `  ${env}npm run cluster -- down   # stop it`
  );
}
