// A datasource plugin loaded with --datasource-plugins (examples/datasource-csv, type `csv`):
// the hub controller must accept the plugin's source type (the same rule the admission webhook
// uses), its rows become LynqNodes, and a write to the file reaches the cluster without a poll.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionTypes } from '@lynq/api';
import { Res, configMap, form, hub, nodeName, useScenario } from './harness/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lynq-csv-'));
const csv = join(dir, 'tenants.csv');
writeFileSync(csv, 'id,active,plan\nacme,1,gold\nglobex,0,silver\n');

const s = useScenario({
  name: 'plugin',
  operator: { args: ['--datasource-plugins=@lynq/example-datasource-csv'] },
});
const HUB = 'csv';
const FORM = 'app';

beforeAll(async () => {
  s.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      // An hour: anything that arrives sooner came through the plugin's watch().
      source: { type: 'csv', syncInterval: '1h', config: { path: csv } },
      extraValueMappings: { planId: 'plan' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { plan: '{{ .planId }}' })],
    }),
  );
});

describe('datasource plugin', () => {
  it('a hub of a plugin source type is valid and its active rows become nodes', async () => {
    await s.nodeReady(nodeName('acme', FORM));
    const hubObj = await s.hub(HUB);
    const ready = hubObj?.status?.conditions?.find((c) => c.type === ConditionTypes.Ready);
    expect(ready?.status, JSON.stringify(hubObj?.status)).toBe('True');
    expect(await s.node(nodeName('globex', FORM))).toBeUndefined();
    const cm = await s.object<{ data?: Record<string, string> }>(Res.ConfigMap, 'acme-cfg');
    expect(cm.data?.['plan']).toBe('gold');
  });

  it('a write to the file reaches the cluster through watch(), long before the next sync', async () => {
    writeFileSync(csv, 'id,active,plan\nacme,1,platinum\nglobex,1,silver\n');
    await s.nodeReady(nodeName('globex', FORM), 30_000);
    await s.waitFor(
      async (note) => {
        const cm = await s.kube.get<{ data?: Record<string, string> }>(
          Res.ConfigMap,
          'acme-cfg',
          s.namespace,
        );
        note(cm?.data);
        return cm?.data?.['plan'] === 'platinum';
      },
      { what: 'acme-cfg updated to platinum', timeoutMs: 30_000 },
    );
  });
});
