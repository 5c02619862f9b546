// PostgreSQL source with change notifications (our extension; Lynq's v1.2 roadmap item): with the
// trigger from @lynq/datasource-postgres installed, inserts, updates and deletes reach the
// cluster in seconds although the hub's syncInterval is an hour.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '@lynq/api';
import { changeTriggerSql } from '@lynq/datasource-postgres';
import {
  Res,
  configMap,
  form,
  hub,
  nodeName,
  postgresSource,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'pgnotify', postgres: true });
const HUB = 'pg-tenants';
const FORM = 'web';
const TABLE = 'tenants';

/** How long after the SQL statement the cluster showed its effect, for the report. */
const latencies: Record<string, number> = {};

beforeAll(async () => {
  const qualified = s.pg.ident(`${s.pgSchema}.${TABLE}`);
  await s.pg.exec(`CREATE TABLE ${qualified} (id text PRIMARY KEY, active boolean, plan text)`);
  // What a user runs once as the table's owner (README of @lynq/datasource-postgres).
  await s.pg.exec(changeTriggerSql({ schema: s.pgSchema, table: TABLE }));
  await s.pg.insert(`${s.pgSchema}.${TABLE}`, [
    { id: 'a', active: 'true', plan: 'gold' },
    { id: 'b', active: 'false', plan: 'gold' },
    { id: 'c', active: null, plan: null },
  ]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      // An hour: anything faster than that below is the notification's doing.
      source: postgresSource(s.pgSchema, TABLE, { syncInterval: '1h' }),
      extraValueMappings: { plan: 'plan' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [configMap('cfg', { plan: '{{ .plan }}' })],
    }),
  );
});

async function timeUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  await s.waitFor(probe, { what, timeoutMs, intervalMs: 100 });
  const ms = Date.now() - started;
  latencies[what] = ms;
  return ms;
}

describe('PostgreSQL datasource with LISTEN/NOTIFY', () => {
  it('the first sync reads booleans as Lynq strings and NULL as inactive', async () => {
    const node = await s.nodeReady(nodeName('a', FORM));
    expect(node.metadata.annotations?.[Annotations.Activate]).toBe('true');
    const h = await s.waitFor(
      async (note) => {
        const x = await s.hub(HUB);
        note(x?.status);
        return x?.status?.desired === 1 ? x : undefined;
      },
      { what: 'hub desired 1', timeoutMs: 30_000 },
    );
    expect(h.status?.desired).toBe(1);
    expect((await s.kube.nodesOf(HUB, s.namespace)).map((n) => n.metadata.name)).toEqual(['a-web']);
  });

  it('an INSERT creates the node within seconds (NOTIFY, not the 1h syncInterval)', async () => {
    await s.pg.insert(`${s.pgSchema}.${TABLE}`, [{ id: 'd', active: 'true', plan: 'silver' }]);
    const ms = await timeUntil(
      'INSERT → LynqNode d-web',
      async () => (await s.node('d-web')) !== undefined,
      10_000,
    );
    expect(ms).toBeLessThan(10_000);
    await timeUntil(
      'INSERT → ConfigMap d-cfg',
      async () => (await s.kube.get(Res.ConfigMap, 'd-cfg', s.namespace)) !== undefined,
      20_000,
    );
  });

  it('an UPDATE of an extra column reaches the object within seconds', async () => {
    await s.pg.exec(
      `UPDATE ${s.pg.ident(`${s.pgSchema}.${TABLE}`)} SET plan = 'bronze' WHERE id = 'd'`,
    );
    await timeUntil(
      'UPDATE → ConfigMap d-cfg plan bronze',
      async () =>
        (await s.kube.get<{ data?: Record<string, string> }>(Res.ConfigMap, 'd-cfg', s.namespace))
          ?.data?.['plan'] === 'bronze',
      10_000,
    );
  });

  it('a deactivating UPDATE and a DELETE remove nodes within seconds', async () => {
    expect(await s.node('a-web'), 'a-web before the UPDATE').toBeDefined();
    expect(await s.node('d-web'), 'd-web before the DELETE').toBeDefined();
    await s.pg.exec(
      `UPDATE ${s.pg.ident(`${s.pgSchema}.${TABLE}`)} SET active = false WHERE id = 'a'`,
    );
    await timeUntil(
      'UPDATE active=false → LynqNode a-web gone',
      async () => (await s.node('a-web')) === undefined,
      10_000,
    );
    await s.pg.exec(`DELETE FROM ${s.pg.ident(`${s.pgSchema}.${TABLE}`)} WHERE id = 'd'`);
    await timeUntil(
      'DELETE → LynqNode d-web gone',
      async () => (await s.node('d-web')) === undefined,
      10_000,
    );
    console.info(`PostgreSQL NOTIFY latencies (ms): ${JSON.stringify(latencies)}`);
  });
});
