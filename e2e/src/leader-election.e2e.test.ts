// Leader election (reference §9, issue 12 §2): two operator processes share a Lease; only the
// leader reconciles, both answer /readyz. SIGKILL the leader (a crashed pod): the standby takes
// over once the lease expires and no object is lost or recreated. SIGTERM a leader: it releases
// the lease and the next standby takes over without waiting for it to expire.
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@lynq/testkit';
import {
  Res,
  configMap,
  form,
  httpGet,
  hub,
  mysqlSource,
  nodeName,
  scrapeMetrics,
  theLeader,
  useScenario,
  type OperatorProcess,
} from './harness/index.js';

const s = useScenario({ name: 'leader', operator: false });
const HUB = 'le';
const FORM = 'web';
const LEASE = uniqueName('e2e-lease');

interface Lease {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    leaseTransitions?: number;
  };
}

let a: OperatorProcess;
let b: OperatorProcess;

/** uid of every LynqNode and ConfigMap in the namespace, by name. */
async function inventory(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of await s.kube.list(Res.Node, s.namespace))
    out[`node/${n.metadata.name}`] = n.metadata.uid ?? '';
  for (const c of await s.kube.list(Res.ConfigMap, s.namespace))
    if (c.metadata.name !== 'kube-root-ca.crt') out[`cm/${c.metadata.name}`] = c.metadata.uid ?? '';
  return out;
}

/**
 * Shorter than the 15 s default to keep the suite quick; the same ratios as client-go's defaults
 * (a standby takes over a crashed leader after about LEASE_MS).
 */
const LEASE_MS = 8_000;
const electionFlags = ['--lease-duration=8s', '--renew-deadline=5s', '--retry-period=1s'];
const le = { leaderElection: { namespace: s.namespace, id: LEASE }, args: electionFlags };

beforeAll(async () => {
  a = await s.startOperator({ ...le, name: 'operator-a' });
  b = await s.startOperator({ ...le, name: 'operator-b' });
  await s.db.insert(
    s.table,
    ['l1', 'l2', 'l3'].map((id) => ({ id, active: '1', plan: 'one', region: 'y' })),
  );
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
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

describe('leader election', () => {
  it('one leader holds the Lease; both processes are ready; the leader reconciles', async () => {
    const leader = await theLeader(s, LEASE, [a, b], 30_000);
    const lease = await s.kube.mustGet<Lease>(Res.Lease, LEASE, s.namespace);
    expect(lease.spec?.holderIdentity).toBeTruthy();
    for (const op of [a, b]) expect((await httpGet(`${op.healthUrl}/readyz`)).status).toBe(200);
    for (const uid of ['l1', 'l2', 'l3']) await s.nodeReady(nodeName(uid, FORM));
    const standby = leader === a ? b : a;
    const m = await scrapeMetrics(standby.metricsUrl);
    const reconciles = m
      .find('controller_runtime_reconcile_total')
      .reduce((n, x) => n + x.value, 0);
    expect(reconciles, 'the standby reconciled nothing').toBe(0);
  });

  it('the leader SIGKILLed: the standby takes over and nothing is lost or recreated', async () => {
    const leader = await theLeader(s, LEASE, [a, b], 10_000);
    const standby = leader === a ? b : a;
    const before = await inventory();
    expect(Object.keys(before)).toHaveLength(6);
    const holderBefore = (await s.kube.mustGet<Lease>(Res.Lease, LEASE, s.namespace)).spec
      ?.holderIdentity;

    await leader.kill();
    const killedAt = Date.now();
    // Work that arrives while nobody leads.
    await s.db.insert(s.table, [{ id: 'l4', active: '1', plan: 'one', region: 'y' }]);
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'two' WHERE id = 'l1'`);

    expect(await theLeader(s, LEASE, [standby], LEASE_MS + 20_000)).toBe(standby);
    const takeoverMs = Date.now() - killedAt;
    const lease = await s.kube.mustGet<Lease>(Res.Lease, LEASE, s.namespace);
    expect(lease.spec?.holderIdentity).not.toBe(holderBefore);

    await s.nodeReady(nodeName('l4', FORM), 30_000);
    await s.waitFor(
      async (note) => {
        const cm = await s.kube.get<{ data?: Record<string, string> }>(
          Res.ConfigMap,
          'l1-cfg',
          s.namespace,
        );
        note(cm?.data);
        return cm?.data?.['plan'] === 'two';
      },
      { what: 'l1-cfg updated by the new leader', timeoutMs: 30_000 },
    );
    const after = await inventory();
    for (const [key, uid] of Object.entries(before)) expect(after[key], key).toBe(uid);
    expect(Object.keys(after).sort()).toEqual(
      [...Object.keys(before), 'cm/l4-cfg', 'node/l4-web'].sort(),
    );
    console.info(`takeover after SIGKILL of the leader: ${takeoverMs} ms`);
  });

  it('a leader SIGTERMed releases the Lease: the next standby leads without waiting for it to expire', async () => {
    const leader = await theLeader(
      s,
      LEASE,
      [a, b].filter((op) => op.exitStatus() === undefined),
      10_000,
    );
    const c = await s.startOperator({ ...le, name: 'operator-c' });
    expect((await httpGet(`${c.healthUrl}/readyz`)).status).toBe(200);
    const holder = (await s.kube.mustGet<Lease>(Res.Lease, LEASE, s.namespace)).spec
      ?.holderIdentity;
    expect(await leader.stop('SIGTERM', 30_000)).toEqual({ code: 0, signal: null });
    const exitedAt = Date.now();
    const lease = await s.kube.mustGet<Lease>(Res.Lease, LEASE, s.namespace);
    expect(lease.spec?.holderIdentity, 'the Lease after the leader exited').not.toBe(holder);
    expect(await theLeader(s, LEASE, [c], LEASE_MS + 5_000)).toBe(c);
    const handoverMs = Date.now() - exitedAt;
    // Released, the lease is taken at the standby's next retry (1 s); expired, only after LEASE_MS.
    expect(handoverMs).toBeLessThan(LEASE_MS / 2);
    await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET plan = 'three' WHERE id = 'l2'`);
    await s.waitFor(
      async (note) => {
        const cm = await s.kube.get<{ data?: Record<string, string> }>(
          Res.ConfigMap,
          'l2-cfg',
          s.namespace,
        );
        note(cm?.data);
        return cm?.data?.['plan'] === 'three';
      },
      { what: 'l2-cfg updated by operator-c', timeoutMs: 30_000 },
    );
    console.info(`handover after SIGTERM of the leader: ${handoverMs} ms`);
  });
});
