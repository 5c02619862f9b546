// npm start -w @lynq/example-sdk-quickstart -- [--apply] [--kubeconfig FILE] [--namespace NS] [--timeout SECONDS]
// Without --apply: prints the hub and form as YAML, and what the form makes of three rows.
// With --apply: applies both to the cluster of the kubeconfig and waits for acme's node.
import { parseArgs } from 'node:util';
import { toYaml } from '@lynq/sdk/builders';
import { applyAndWait, buildObjects, preview } from './quickstart.js';

const SAMPLE_ROWS = [
  { id: 'acme', active: 1, plan: 'gold' },
  { id: 'globex', active: 0, plan: 'silver' },
  { id: 'initech', active: 1, plan: 'bronze' },
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      apply: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      timeout: { type: 'string', default: '120' },
    },
  });
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) {
    process.stderr.write(
      `--timeout must be a positive number of seconds, got "${values.timeout}"\n`,
    );
    return 2;
  }
  const objects = buildObjects(values.namespace);
  process.stdout.write(toYaml([objects.hub, objects.form]));

  const result = preview(objects, SAMPLE_ROWS);
  for (const node of result.nodes) {
    process.stdout.write(`\n# node ${node.node} (row ${node.row})\n`);
    process.stdout.write(toYaml(node.manifests));
  }
  for (const skipped of result.inactive)
    process.stdout.write(`# row ${skipped.row ?? '?'} (${skipped.uid}) is inactive: no node\n`);
  for (const error of result.errors)
    process.stderr.write(`row ${error.row ?? '?'}: ${error.message}\n`);
  if (!values.apply) return result.errors.length > 0 ? 1 : 0;

  // Loaded only for --apply: the builders and previews never need a Kubernetes client.
  const { LynqClient, NodeNotReadyError } = await import('@lynq/sdk/client');
  const client = await LynqClient.fromKubeconfig(
    values.kubeconfig !== undefined ? { path: values.kubeconfig } : {},
  );
  const node = result.nodes[0]?.node ?? '';
  try {
    await applyAndWait(client, objects, node, timeoutMs);
    process.stdout.write(`\nLynqNode ${values.namespace}/${node} is Ready\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof NodeNotReadyError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A LynqValidationError lists every field; other errors (a kubeconfig, the API server) say what failed.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
