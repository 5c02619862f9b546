// The --apply path against the local control plane. No operator runs here, so the test does what
// the operator would: it creates the row's LynqNode (the hub controller's job) and reports it
// Ready (the node controller's), while the quickstart waits.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LynqClient } from '@lynq/sdk/client';
import { installCrds, kubeconfigPath, useTestNamespace } from '@lynq/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAndWait, buildObjects } from './quickstart.js';

const ns = useTestNamespace({ prefix: 'sdk-quickstart' });
let client: LynqClient;

beforeAll(async () => {
  await installCrds(ns.kubeConfig);
  client = await LynqClient.fromKubeconfig({ path: kubeconfigPath() });
});
afterAll(() => client?.close());

async function actAsOperator(node: string): Promise<void> {
  const created = await client.applyNode({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqNode',
    metadata: { name: node, namespace: ns.name, labels: { 'lynq.sh/hub': 'tenants' } },
    spec: { uid: 'acme', templateRef: 'web' },
  });
  await client.rest.request({
    method: 'PATCH',
    path: `/apis/operator.lynq.sh/v1/namespaces/${ns.name}/lynqnodes/${node}/status`,
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        observedGeneration: created.metadata.generation,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Reconciled',
            message: '1/1 resources ready',
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        ],
      },
    },
  });
}

describe('quickstart --apply', () => {
  it('applies the hub and the form and returns once the node is Ready', async () => {
    const objects = buildObjects(ns.name);
    const waiting = applyAndWait(client, objects, 'acme-web', 20_000);
    // The hub and form are applied before the wait begins; the node comes later.
    const deadline = Date.now() + 10_000;
    while ((await client.getForm(ns.name, 'web')) === undefined) {
      if (Date.now() > deadline) throw new Error('form not applied within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await actAsOperator('acme-web');
    await waiting;
    expect((await client.getHub(ns.name, 'tenants'))?.spec.valueMappings.uid).toBe('id');
  });

  it('as a command, exits 1 and says why when no node becomes Ready', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = () =>
      promisify(execFile)(
        process.execPath,
        [
          '--conditions=@lynq/source',
          '--import',
          'tsx',
          main,
          '--apply',
          '--kubeconfig',
          kubeconfigPath(),
          '--namespace',
          `${ns.name}`,
          '--timeout',
          '2',
        ],
        { cwd: fileURLToPath(new URL('..', import.meta.url)) },
      );
    // The node of the previous test is Ready; this run waits for it again, so delete it first.
    const err = await client
      .deleteNode(ns.name, 'acme-web')
      .then(run)
      .then(
        () => undefined,
        (e: unknown) => e as { code: number; stdout: string; stderr: string },
      );
    expect(err?.code).toBe(1);
    expect(err?.stdout).toContain('kind: LynqForm');
    expect(err?.stderr).toContain(`LynqNode ${ns.name}/acme-web not Ready after 2000 ms: NotFound`);
  });
});
