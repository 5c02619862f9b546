// Load faults (issue 17 "Faults"): a row flapping active/inactive every second for a minute, next
// to steady rows that must not be touched; and many rows arriving at once (500 in CI, the issue's
// 10,000 with LYNQ_FAULTS_FULL=1): every one becomes a Ready node with its ConfigMap.
import { beforeAll, describe, expect, it } from 'vitest';
import { Res, configMap, form, hub, mysqlSource, nodeName, useScenario } from '../harness/index.js';
import { OPERATOR_BUILD, recordFigure, scaled } from './figures.js';
import { inventory, lossBetween, readiness } from './fleet.js';
import { describeWrites, minus, writesOf } from './operator-metrics.js';

const s = useScenario({
  name: 'f-load',
  operator: { ...OPERATOR_BUILD, logLevel: 'info' },
});
const FLAP_MS = scaled(30_000, 60_000);
const BURST = scaled(500, 10_000);
const STEADY = 20;
const steady = Array.from({ length: STEADY }, (_, i) => `s${String(i).padStart(2, '0')}`);

/** resourceVersion of every node and ConfigMap of `uids`. */
async function versionsOf(uids: readonly string[]): Promise<Record<string, string>> {
  const want = new Set(uids.flatMap((u) => [`node/${nodeName(u, 'web')}`, `cm/${u}-cfg`]));
  const out: Record<string, string> = {};
  for (const n of await s.kube.list(Res.Node, s.namespace))
    if (want.has(`node/${n.metadata.name}`))
      out[`node/${n.metadata.name}`] = n.metadata.resourceVersion ?? '';
  for (const c of await s.kube.list(Res.ConfigMap, s.namespace))
    if (want.has(`cm/${c.metadata.name}`))
      out[`cm/${c.metadata.name}`] = c.metadata.resourceVersion ?? '';
  return out;
}

beforeAll(async () => {
  await s.db.insert(s.table, [
    ...steady.map((id) => ({ id, active: '1', plan: 'gold', region: 'eu' })),
    { id: 'flap', active: '1', plan: 'gold', region: 'eu' },
  ]);
  await s.create(
    hub({
      name: 'load',
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '1s' }),
      extraValueMappings: { plan: 'plan' },
    }),
  );
  await s.create(
    form({
      name: 'web',
      namespace: s.namespace,
      hubId: 'load',
      configMaps: [configMap('cfg', { plan: '{{ .plan }}' })],
    }),
  );
  await s.waitFor(
    async (note) => {
      const r = await readiness(s.kube, s.namespace, 'load');
      note(r.ready);
      return r.ready === STEADY + 1;
    },
    { what: `${STEADY + 1} nodes Ready`, timeoutMs: 90_000 },
  );
});

describe('load', () => {
  it(
    `a row flapping active/inactive every second for ${FLAP_MS / 1000} s: steady rows untouched, the end state right`,
    async () => {
      const before = await inventory(s.kube, s.namespace);
      const steadyVersions = await versionsOf(steady);
      const w0 = await writesOf(s.operator);
      const started = Date.now();
      let flips = 0;
      for (let active = false; Date.now() - started < FLAP_MS; active = !active) {
        await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = ? WHERE id = 'flap'`, [
          active ? '1' : '0',
        ]);
        flips++;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      // End active: the node and its ConfigMap must be there and Ready.
      await s.db.exec(`UPDATE ${s.db.ident(s.table)} SET active = '1' WHERE id = 'flap'`);
      const endedAt = Date.now();
      await s.nodeReady(nodeName('flap', 'web'), 60_000);
      await s.object(Res.ConfigMap, 'flap-cfg');
      const recoveryMs = Date.now() - endedAt;
      const w = minus(await writesOf(s.operator), w0);
      const steadyAfter = await versionsOf(steady);
      const after = await inventory(s.kube, s.namespace);
      // The flapping row's own objects come and go by design; the steady ones must not.
      const steadyBefore = new Map([...before].filter(([k]) => !k.includes('flap')));
      const loss = lossBetween(steadyBefore, after);
      const writesPerMin = Math.round((w.total * 60_000) / (endedAt - started));
      recordFigure({
        id: 'row-flapping',
        group: 'load',
        fault: `one row toggled active/inactive every second (${flips} flips in ${Math.round((endedAt - started) / 1000)} s; sync every 1 s)`,
        faultMs: endedAt - started,
        load: `${STEADY} steady rows beside it`,
        operator: `followed the row (node created/deleted as syncs saw it), steady nodes and ConfigMaps not written; ${describeWrites(w)} (${writesPerMin}/min); ends Ready`,
        recoveryMs,
        recoveryBound: 'the flapping row Ready once it stays active',
        lost: {
          nodesLost: loss.nodesLost,
          objectsLost: loss.objectsLost,
          recreated: loss.recreated,
        },
        figures: {
          flips,
          operatorWritesPerMin: writesPerMin,
          steadyObjectsWritten: Object.keys(steadyVersions).filter(
            (k) => steadyVersions[k] !== steadyAfter[k],
          ).length,
        },
      });
      expect(loss.names).toEqual([]);
      expect(steadyAfter, 'steady nodes and ConfigMaps not written').toEqual(steadyVersions);
      // Each flip costs at most a node create or delete, its ConfigMap, status and events: bounded.
      expect(w.total).toBeLessThan(flips * 12 + 50);
    },
    FLAP_MS + 150_000,
  );

  it(
    `${BURST} rows arriving at once: every one a Ready node with its ConfigMap`,
    async () => {
      const before = await inventory(s.kube, s.namespace);
      const uids = Array.from({ length: BURST }, (_, i) => `b${String(i).padStart(5, '0')}`);
      const w0 = await writesOf(s.operator);
      for (let i = 0; i < uids.length; i += 1_000)
        await s.db.insert(
          s.table,
          uids.slice(i, i + 1_000).map((id) => ({ id, active: '1', plan: 'gold', region: 'eu' })),
        );
      const started = Date.now();
      const total = STEADY + 1 + BURST;
      await s.waitFor(
        async (note) => {
          const r = await readiness(s.kube, s.namespace, 'load');
          note({ nodes: r.nodes, ready: r.ready });
          return r.ready === total;
        },
        { what: `${total} nodes Ready`, timeoutMs: scaled(240_000, 1_500_000), intervalMs: 2_000 },
      );
      const readyMs = Date.now() - started;
      const cms = (await s.kube.list(Res.ConfigMap, s.namespace)).filter(
        (c) => c.metadata.name !== 'kube-root-ca.crt',
      );
      const w = minus(await writesOf(s.operator), w0);
      const loss = lossBetween(before, await inventory(s.kube, s.namespace));
      recordFigure({
        id: `burst-${BURST}`,
        group: 'load',
        fault: `${BURST} rows inserted at once`,
        faultMs: readyMs,
        load: `${total} LynqNodes in the end, 1 ConfigMap each`,
        operator: `created ${BURST} nodes and ConfigMaps, all Ready in ${(readyMs / 1000).toFixed(0)} s (${Math.round((BURST * 1000) / readyMs)} nodes/s); ${describeWrites(w)} (${(w.total / BURST).toFixed(1)} per row)`,
        recoveryMs: null,
        lost: {
          nodesLost: loss.nodesLost,
          objectsLost: loss.objectsLost,
          recreated: loss.recreated,
        },
        figures: {
          readyMs,
          nodesPerSecond: Math.round((BURST * 1000) / readyMs),
          writesPerRow: Number((w.total / BURST).toFixed(2)),
        },
      });
      expect(loss.names).toEqual([]);
      expect(cms).toHaveLength(total);
      expect(w.DELETE).toBe(0);
    },
    scaled(300_000, 1_800_000),
  );
});
