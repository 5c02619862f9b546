// Database faults with a fleet of 200 LynqNodes (issue 17 "Faults"): the database down (connection
// refused), a black hole that stalls every query until the query timeout, the table emptied, a
// TRUNCATE, the activate column renamed, and a password changed on the server. The operator
// reaches MariaDB through a relay this file controls (the shared server is never stopped). For
// each fault: no LynqNode or ConfigMap deleted or recreated (names and uids counted before and
// after), the hub's conditions and events say why, no DELETE sent, and the hub is healthy again
// within one sync of the database coming back.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LynqHub } from '@lynq/api';
import { mysqlUrl, uniqueName } from '@lynq/testkit';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  startTcpProxy,
  useScenario,
  type KubeEvent,
  type TcpProxy,
} from '../harness/index.js';
import { NOTHING_LOST, OPERATOR_BUILD, recordFigure, scaled } from './figures.js';
import { intact, inventory, lossBetween, readiness, type Inventory } from './fleet.js';
import { describeWrites, minus, writesOf } from './operator-metrics.js';

const ROWS = 200;
const SYNC_MS = 5_000;
/** How long "the database is down" lasts: 30 s in CI, the 5 minutes in the full run. */
const DOWN_MS = scaled(30_000, 300_000);
/** How long the other faults are held (several syncs). */
const HOLD_MS = scaled(15_000, 60_000);
const QUERY_TIMEOUT_MS = 3_000;
/** One sync interval, plus polling and a busy 2-core machine. */
const RECOVERY_BOUND_MS = SYNC_MS + 5_000;

const s = useScenario({
  name: 'f-db',
  operator: {
    ...OPERATOR_BUILD,
    logLevel: 'info',
    args: [
      `--datasource-query-timeout=${QUERY_TIMEOUT_MS / 1000}s`,
      `--datasource-connect-timeout=${QUERY_TIMEOUT_MS / 1000}s`,
    ],
  },
});
const HUB = 'fleet';
const FORM = 'web';
const USER = uniqueName('f_db', '_').slice(0, 32);
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const uids = Array.from({ length: ROWS }, (_, i) => `t${String(i).padStart(3, '0')}`);
const rows = () => uids.map((id) => ({ id, active: '1', plan: 'gold', region: 'eu' }));
let proxy: TcpProxy;
let fleet: Inventory;

const hubNow = () => s.kube.mustGet<LynqHub>(Res.Hub, HUB, s.namespace);

async function hubEvents(reason: string): Promise<KubeEvent[]> {
  return s.kube.eventsWithReason(s.namespace, { kind: 'LynqHub', name: HUB }, reason);
}
const countOf = (events: KubeEvent[]) => events.reduce((n, e) => n + (e.count ?? 1), 0);

beforeAll(async () => {
  const db = new URL(mysqlUrl());
  proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 3306) });
  s.onCleanup(() => proxy.close());
  // A user of its own with a password, so that "wrong credentials" can happen on the server.
  const user = `'${USER}'@'%'`;
  await s.db.exec(`CREATE USER ${user} IDENTIFIED BY '${PASSWORD}'`);
  s.onCleanup(() => s.db.exec(`DROP USER IF EXISTS ${user}`));
  await s.db.exec(
    `GRANT SELECT ON ${s.db.ident(db.pathname.slice(1))}.${s.db.ident(s.table)} TO ${user}`,
  );
  await s.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-cred', namespace: s.namespace },
    stringData: { password: PASSWORD },
  });
  await s.db.insert(s.table, rows());
  const source = mysqlSource(s.table, {
    syncInterval: `${SYNC_MS / 1000}s`,
    host: '127.0.0.1',
    port: proxy.port,
  });
  if (source.mysql === undefined) throw new Error('mysqlSource gave no mysql section');
  source.mysql.username = USER;
  source.mysql.passwordRef = { name: 'db-cred', key: 'password' };
  // The default deletion guard (50 %, more than 10): what a user gets without configuring one.
  await s.create(
    hub({ name: HUB, namespace: s.namespace, source, extraValueMappings: { plan: 'plan' } }),
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

interface Case {
  id: string;
  fault: string;
  /** Injects the fault. */
  inject(): Promise<void>;
  /** Waits until the operator has said why (condition, event); returns what it said. */
  operatorSays(): Promise<string>;
  holdMs: number;
  /** Takes the fault away. */
  restore(): Promise<void>;
  /** The hub is healthy again (what "recovered" means for this fault). */
  recovered(h: LynqHub): boolean;
}

const connected = (h: LynqHub) =>
  conditionOf(h, 'Ready')?.status === 'True' &&
  conditionOf(h, 'Ready')?.reason === 'DatabaseConnected' &&
  conditionOf(h, 'Degraded')?.reason !== 'DeletionGuardHeld';

/** Waits until the hub's Ready condition is False and returns it with the newest failure event. */
async function readyFalse(what: string, messageMatches?: RegExp): Promise<string> {
  const failedBefore = countOf(await hubEvents('DatabaseQueryFailed'));
  const h = await s.waitFor(
    async (note) => {
      const x = await hubNow();
      const ready = conditionOf(x, 'Ready');
      note(ready);
      return ready?.status === 'False' &&
        (messageMatches === undefined || messageMatches.test(ready.message ?? ''))
        ? x
        : undefined;
    },
    { what: `hub Ready=False (${what})`, timeoutMs: 45_000 },
  );
  const ready = conditionOf(h, 'Ready');
  const events = await s.waitFor(
    async (note) => {
      const e = await hubEvents('DatabaseQueryFailed');
      note(e.map((x) => x.message));
      return countOf(e) > failedBefore || e.length > 0 ? e : undefined;
    },
    { what: 'a DatabaseQueryFailed event', timeoutMs: 30_000 },
  );
  expect(events[0]?.type).toBe('Warning');
  // desired keeps its last value: a failed fetch is no evidence of zero rows.
  expect(h.status?.desired).toBe(ROWS);
  return `Ready=False ${ready?.reason}: “${(ready?.message ?? '').slice(0, 140)}”; Warning DatabaseQueryFailed`;
}

async function runCase(c: Case): Promise<void> {
  const w0 = await writesOf(s.operator);
  const started = Date.now();
  await c.inject();
  const said = await c.operatorSays();
  const remaining = c.holdMs - (Date.now() - started);
  if (remaining > 0)
    await s.holdsFor(intact(s.kube, s.namespace, fleet), {
      what: `no LynqNode or ConfigMap lost during: ${c.fault}`,
      durationMs: remaining,
      intervalMs: 2_000,
    });
  const during = minus(await writesOf(s.operator), w0);
  const faultMs = Date.now() - started;
  await c.restore();
  const restoredAt = Date.now();
  await s.waitFor(
    async (note) => {
      const h = await hubNow();
      note(h.status);
      return c.recovered(h);
    },
    { what: `hub healthy again after: ${c.fault}`, timeoutMs: 60_000, intervalMs: 250 },
  );
  const recoveryMs = Date.now() - restoredAt;
  const after = await inventory(s.kube, s.namespace);
  const loss = lossBetween(fleet, after);
  const r = await readiness(s.kube, s.namespace, HUB);
  recordFigure({
    id: c.id,
    group: 'database',
    fault: c.fault,
    faultMs,
    load: `${ROWS} LynqNodes, ${ROWS} ConfigMaps; sync every ${SYNC_MS / 1000} s`,
    operator: `${said}; ${describeWrites(during)} while it lasted`,
    recoveryMs,
    recoveryBound: `≤ one sync (${SYNC_MS / 1000} s) + 5 s`,
    lost: { nodesLost: loss.nodesLost, objectsLost: loss.objectsLost, recreated: loss.recreated },
    figures: { deletesSent: during.DELETE, readyAfter: r.ready, proxyConnections: proxy.accepted },
  });
  expect(loss.names, 'lost or recreated').toEqual([]);
  expect(during.DELETE, 'DELETE requests while the fault lasted').toBe(0);
  expect(r).toMatchObject({ nodes: ROWS, ready: ROWS });
  expect(recoveryMs, 'recovery within one sync of the database coming back').toBeLessThan(
    RECOVERY_BOUND_MS,
  );
}

describe('database faults with 200 nodes', () => {
  it('builds the fleet: 200 LynqNodes Ready, 200 ConfigMaps', async () => {
    const started = Date.now();
    await s.waitFor(
      async (note) => {
        const r = await readiness(s.kube, s.namespace, HUB);
        note({ nodes: r.nodes, ready: r.ready });
        return r.ready === ROWS;
      },
      { what: `${ROWS} LynqNodes Ready`, timeoutMs: 180_000, intervalMs: 1_000 },
    );
    console.info(`${ROWS} nodes Ready in ${Date.now() - started} ms`);
    await s.waitFor(async () => connected(await hubNow()), {
      what: 'hub Ready',
      timeoutMs: 30_000,
    });
    fleet = await inventory(s.kube, s.namespace);
    expect(fleet.size).toBe(2 * ROWS);
    expect(NOTHING_LOST).toEqual({ nodesLost: 0, objectsLost: 0, recreated: 0 });
  }, 240_000);

  it(
    `the database down (connection refused) for ${DOWN_MS / 1000} s`,
    async () => {
      await runCase({
        id: 'db-down',
        fault: `database unreachable: relay stopped, connections refused, for ${DOWN_MS / 1000} s`,
        inject: () => proxy.refuse(),
        operatorSays: () => readyFalse('connection refused'),
        holdMs: DOWN_MS,
        restore: () => proxy.pass(),
        recovered: connected,
      });
    },
    DOWN_MS + 180_000,
  );

  it('a black hole: connections accepted, nothing answered (query and connect timeouts)', async () => {
    await runCase({
      id: 'db-query-timeout',
      fault: `database stalls: relay accepts and never answers (query timeout ${QUERY_TIMEOUT_MS / 1000} s)`,
      inject: () => proxy.blackhole(),
      operatorSays: () => readyFalse('stalled'),
      holdMs: HOLD_MS,
      restore: () => proxy.pass(),
      recovered: connected,
    });
  }, 180_000);

  it('the table emptied (DELETE FROM)', async () => {
    const heldBefore = countOf(await hubEvents('DeletionGuardHeld'));
    await runCase({
      id: 'db-emptied',
      fault: 'every row deleted (DELETE FROM the table)',
      inject: () => s.db.exec(`DELETE FROM ${s.db.ident(s.table)}`),
      operatorSays: () => guardHeld(heldBefore),
      holdMs: HOLD_MS,
      restore: () => s.db.insert(s.table, rows()),
      recovered: connected,
    });
  }, 180_000);

  it('TRUNCATE TABLE', async () => {
    const heldBefore = countOf(await hubEvents('DeletionGuardHeld'));
    await runCase({
      id: 'db-truncate',
      fault: 'TRUNCATE TABLE',
      inject: () => s.db.exec(`TRUNCATE TABLE ${s.db.ident(s.table)}`),
      operatorSays: () => guardHeld(heldBefore),
      holdMs: HOLD_MS,
      restore: () => s.db.insert(s.table, rows()),
      recovered: connected,
    });
  }, 180_000);

  it('the activate column renamed', async () => {
    const t = s.db.ident(s.table);
    await runCase({
      id: 'db-column-renamed',
      fault: 'activate column renamed (ALTER TABLE … CHANGE active enabled)',
      inject: () => s.db.exec(`ALTER TABLE ${t} CHANGE active enabled VARCHAR(16) NULL`),
      operatorSays: () => readyFalse('unknown column', /active/),
      holdMs: HOLD_MS,
      restore: () => s.db.exec(`ALTER TABLE ${t} CHANGE enabled active VARCHAR(16) NULL`),
      recovered: connected,
    });
  }, 180_000);

  it('wrong credentials: the password changed on the server, connections cut', async () => {
    const user = `'${USER}'@'%'`;
    await runCase({
      id: 'db-wrong-credentials',
      fault: 'password changed on the server (Secret stale), open connections cut',
      inject: async () => {
        await s.db.exec(`ALTER USER ${user} IDENTIFIED BY 'x-${randomBytes(6).toString('hex')}'`);
        proxy.reset();
      },
      operatorSays: () => readyFalse('access denied', /denied|password|auth/i),
      holdMs: HOLD_MS,
      restore: () => s.db.exec(`ALTER USER ${user} IDENTIFIED BY '${PASSWORD}'`),
      recovered: connected,
    });
    // The password is in no status or event.
    const h = await hubNow();
    expect(JSON.stringify(h)).not.toContain(PASSWORD);
    for (const e of await s.kube.events(s.namespace, { kind: 'LynqHub', name: HUB }))
      expect(e.message ?? '').not.toContain(PASSWORD);
  }, 180_000);
});

/** Waits for a new DeletionGuardHeld (Degraded condition and Warning event) and says what it held. */
async function guardHeld(heldBefore: number): Promise<string> {
  const h = await s.waitFor(
    async (note) => {
      const x = await hubNow();
      const held = countOf(await hubEvents('DeletionGuardHeld'));
      note({ degraded: conditionOf(x, 'Degraded'), held });
      return conditionOf(x, 'Degraded')?.reason === 'DeletionGuardHeld' && held > heldBefore
        ? x
        : undefined;
    },
    { what: 'hub Degraded=True DeletionGuardHeld and a new event', timeoutMs: 45_000 },
  );
  const degraded = conditionOf(h, 'Degraded');
  expect(degraded?.status).toBe('True');
  expect(degraded?.message).toContain(`${ROWS} of ${ROWS}`);
  // The fetch itself worked: only the deletions are held.
  expect(conditionOf(h, 'Ready')?.reason).toBe('DatabaseConnected');
  return `Degraded=True DeletionGuardHeld: “${(degraded?.message ?? '').slice(0, 140)}”; Warning DeletionGuardHeld`;
}
