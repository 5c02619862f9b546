// A foreign field manager fighting the operator over one field (issue 17 "Faults"): a controller
// of the test takes `data.owner` of a managed ConfigMap back with a forced apply each time it sees
// another value, as fast as it can. Under conflictPolicy Stuck the operator reports the conflict
// and leaves the field; under Force it takes the field back, at a bounded rate. Writes per minute
// are measured on the object itself (every resourceVersion the watch saw) and in the operator's
// own request counter; neither may be a hot loop.
import { beforeAll, describe, expect, it } from 'vitest';
import { Informer, silentLogger, type KubeObject } from '@lynq/runtime';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  useScenario,
} from '../harness/index.js';
import { OPERATOR_BUILD, recordFigure, scaled } from './figures.js';
import { describeWrites, minus, writesOf } from './operator-metrics.js';

const s = useScenario({
  name: 'f-fight',
  operator: { ...OPERATOR_BUILD, logLevel: 'info', args: ['--render-processes=1'] },
});
const HUB = 'fight';
const UID = 'x';
const FIGHT_MS = scaled(30_000, 120_000);
/** The most operator writes per minute on the contested object that count as "bounded". */
const MAX_OPERATOR_WRITES_PER_MIN = 30;
const INTRUDER = 'intruder';

beforeAll(async () => {
  await s.db.insert(s.table, [{ id: UID, active: '1', plan: 'gold', region: 'eu' }]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '5s' }),
    }),
  );
  for (const policy of ['Stuck', 'Force'] as const)
    await s.create(
      form({
        name: policy.toLowerCase(),
        namespace: s.namespace,
        hubId: HUB,
        configMaps: [
          configMap(policy.toLowerCase(), { owner: 'lynq' }, { conflictPolicy: policy }),
        ],
      }),
    );
  for (const f of ['stuck', 'force']) await s.nodeReady(nodeName(UID, f));
});

/**
 * Fights over `data.owner` of `name` for `ms`: on every change it sees (a watch), it force-applies
 * its own value if the object says otherwise. Returns its own writes and the object's versions.
 */
async function fight(name: string, ms: number) {
  const informer = new Informer({
    client: s.kube.rest,
    type: Res.ConfigMap,
    namespace: s.namespace,
    logger: silentLogger,
  });
  let intruderWrites = 0;
  /** resourceVersions after which data.owner was the operator's value again: its takebacks. */
  const takebacks = new Set<string>();
  const versions = new Set<string>();
  let busy = false;
  let stopped = false;
  const take = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      await s.kube.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: s.namespace },
          data: { owner: INTRUDER },
        },
        { fieldManager: INTRUDER, force: true },
      );
      intruderWrites++;
    } finally {
      busy = false;
    }
  };
  const onChange = (o: KubeObject) => {
    if (o.metadata.name !== name) return;
    versions.add(o.metadata.resourceVersion ?? '');
    const owner = (o as { data?: Record<string, string> }).data?.['owner'];
    if (owner !== INTRUDER) {
      takebacks.add(o.metadata.resourceVersion ?? '');
      void take().catch(() => undefined);
    }
  };
  informer.addEventHandler({ onAdd: onChange, onUpdate: (_, o) => onChange(o) });
  informer.start();
  await informer.waitForSync();
  const w0 = await writesOf(s.operator);
  const v0 = versions.size;
  const t0 = takebacks.size;
  await take();
  const started = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  stopped = true;
  const elapsed = Date.now() - started;
  const w = minus(await writesOf(s.operator), w0);
  await informer.stop();
  return {
    elapsed,
    intruderWrites,
    operatorTakebacks: takebacks.size - t0,
    objectVersions: versions.size - v0,
    operatorWrites: w,
  };
}

const perMin = (n: number, ms: number) => Math.round((n * 60_000 * 10) / ms) / 10;

describe('a foreign field manager fighting over data.owner', () => {
  for (const policy of ['Stuck', 'Force'] as const) {
    it(
      `under conflictPolicy ${policy}: bounded writes, no hot loop`,
      async () => {
        const id = policy.toLowerCase();
        const name = `${UID}-${id}`;
        const r = await fight(name, FIGHT_MS);
        const node = await s.kube.node(nodeName(UID, id), s.namespace);
        const ready = conditionOf(node, 'Ready');
        const conflicted = conditionOf(node, 'Conflicted');
        const events = await s.kube.events(s.namespace, {
          kind: 'LynqNode',
          name: nodeName(UID, id),
        });
        const conflictEvents = events.filter((e) => /conflict/i.test(e.reason ?? ''));
        const takebacksPerMin = perMin(r.operatorTakebacks, r.elapsed);
        const opWritesPerMin = perMin(r.operatorWrites.total, r.elapsed);
        recordFigure({
          id: `conflict-${id}`,
          group: 'operator',
          fault: `a foreign SSA manager force-applies data.owner each time it sees another value, for ${Math.round(r.elapsed / 1000)} s (conflictPolicy ${policy})`,
          faultMs: r.elapsed,
          load: '1 contested ConfigMap; the intruder reacts within a watch event',
          operator: `${policy === 'Force' ? `took the field back ${r.operatorTakebacks} times (${takebacksPerMin}/min)` : `left the field to the intruder (${r.operatorTakebacks} takebacks)`}; node Ready=${ready?.status ?? '?'} ${ready?.reason ?? ''}${conflicted !== undefined ? `, Conflicted=${conflicted.status}` : ''}; ${conflictEvents.length} conflict event(s) ×${conflictEvents.reduce((n, e) => n + (e.count ?? 1), 0)}; ${describeWrites(r.operatorWrites)} in all (${opWritesPerMin}/min)`,
          recoveryMs: null,
          lost: { nodesLost: node === undefined ? 1 : 0, objectsLost: 0, recreated: 0 },
          figures: {
            intruderWrites: r.intruderWrites,
            objectVersions: r.objectVersions,
            operatorTakebacksPerMin: takebacksPerMin,
            operatorWritesPerMin: opWritesPerMin,
          },
        });
        expect(node, 'the node').toBeDefined();
        expect(r.intruderWrites, 'the intruder fought').toBeGreaterThan(0);
        expect(takebacksPerMin, 'operator takebacks per minute').toBeLessThanOrEqual(
          MAX_OPERATOR_WRITES_PER_MIN,
        );
        expect(
          opWritesPerMin,
          'operator writes per minute (events, status included)',
        ).toBeLessThanOrEqual(2 * MAX_OPERATOR_WRITES_PER_MIN);
        if (policy === 'Stuck') expect(r.operatorTakebacks, 'Stuck never forces').toBe(0);
        else {
          expect(r.operatorTakebacks, 'Force takes the field back').toBeGreaterThan(0);
          // The node says why it writes less often than the other side would have it.
          expect(conflictEvents.map((e) => e.message).join('\n')).toMatch(
            /changed back by another manager \d+ times in a row/,
          );
        }
      },
      FIGHT_MS + 120_000,
    );
  }
});
