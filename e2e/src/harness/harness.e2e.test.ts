// Checks of the harness itself that need no operator: fixtures, the client helper, the builders
// (every hub and form shape the scenarios use is accepted by the API server with the CRDs
// installed), metrics parsing, waits and the database relay.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mysqlUrl } from '@lynq/testkit';
import {
  Res,
  configMap,
  deployment,
  form,
  holdsFor,
  hub,
  job,
  manifest,
  mysqlDb,
  mysqlSource,
  parseMetrics,
  postgresSource,
  startTcpProxy,
  useScenario,
  waitFor,
  InvariantBrokenError,
  WaitTimeoutError,
} from './index.js';

const s = useScenario({ name: 'harness', postgres: true, operator: false });

describe('fixtures', () => {
  it('gives the file its namespace, a MariaDB table and a PostgreSQL schema', async () => {
    expect(await s.kube.get(Res.Namespace, s.namespace)).toBeDefined();
    await s.db.insert(s.table, [{ id: 'a', active: '1', plan: null, region: 'eu' }]);
    expect(await s.db.query(`SELECT id, active, plan FROM ${s.db.ident(s.table)}`)).toEqual([
      { id: 'a', active: '1', plan: null },
    ]);
    await s.pg.exec(
      `CREATE TABLE ${s.pg.ident(`${s.pgSchema}.t`)} (id text PRIMARY KEY, active boolean)`,
    );
    await s.pg.insert(`${s.pgSchema}.t`, [{ id: 'p', active: 'true' }]);
    expect(await s.pg.query(`SELECT id, active FROM ${s.pg.ident(`${s.pgSchema}.t`)}`)).toEqual([
      { id: 'p', active: true },
    ]);
  });

  it('creates, patches, lists and deletes objects and reads their events', async () => {
    const cm = await s.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'probe', namespace: s.namespace, labels: { e2e: 'yes' } },
      data: { a: '1' },
    });
    expect(cm.metadata.name).toBe('probe');
    await s.kube.mergePatch(Res.ConfigMap, 'probe', s.namespace, { data: { b: '2' } });
    const applied = await s.kube.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'probe', namespace: s.namespace },
        data: { c: '3' },
      },
      { fieldManager: 'e2e-intruder' },
    );
    expect(applied).toMatchObject({ data: { a: '1', b: '2', c: '3' } });
    expect(
      await s.kube.list(Res.ConfigMap, s.namespace, { labelSelector: 'e2e=yes' }),
    ).toHaveLength(1);
    await s.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'probe.e2e', namespace: s.namespace },
      involvedObject: {
        kind: 'ConfigMap',
        name: 'probe',
        namespace: s.namespace,
        apiVersion: 'v1',
      },
      reason: 'Probed',
      message: 'by the harness test',
      type: 'Normal',
    });
    const events = await s.event({ kind: 'ConfigMap', name: 'probe' }, 'Probed', {
      timeoutMs: 10_000,
    });
    expect(events[0]?.message).toBe('by the harness test');
    expect(await s.kube.delete(Res.ConfigMap, 'probe', s.namespace)).toBe(true);
    await s.gone(Res.ConfigMap, 'probe', { timeoutMs: 10_000 });
    expect(await s.kube.delete(Res.ConfigMap, 'probe', s.namespace)).toBe(false);
  });
});

describe('builders: accepted by the API server (server-side dry-run create)', () => {
  const every = () => {
    const ns = s.namespace;
    const hubs = [
      hub({ name: 'h-mysql', namespace: ns, source: mysqlSource(s.table) }),
      hub({
        name: 'h-full',
        namespace: ns,
        source: mysqlSource(s.table, { syncInterval: '3s', port: 13306 }),
        extraValueMappings: { plan: 'plan', region: 'region' },
        deletionGuard: { maxDeletePercent: 50, minDeletions: 1 },
      }),
      hub({
        name: 'h-pg',
        namespace: ns,
        source: postgresSource(s.pgSchema, 't', { syncInterval: '1h' }),
      }),
    ];
    const forms = [
      form({
        name: 'f-all',
        namespace: ns,
        hubId: 'h-full',
        configMaps: [
          configMap('plain', { plan: '{{ .plan }}' }),
          configMap('once', { v: '1' }, { creationPolicy: 'Once', deletionPolicy: 'Retain' }),
          configMap('forced', { v: '1' }, { conflictPolicy: 'Force', patchStrategy: 'apply' }),
          configMap('merged', { v: '1' }, { patchStrategy: 'merge' }),
          configMap(
            'replaced',
            { v: '1' },
            { patchStrategy: 'replace', ignoreFields: ['$.data.tuned'] },
          ),
        ],
        deployments: [
          deployment(
            'web',
            { replicas: 2, env: { PLAN: '{{ .plan }}' } },
            {
              dependIds: ['plain'],
              ignoreFields: ['$.spec.replicas'],
              timeoutSeconds: 60,
            },
          ),
        ],
        jobs: [job('migrate', { dependIds: ['web'], skipOnDependencyFailure: false })],
        manifests: [
          manifest(
            'pdb',
            {
              apiVersion: 'policy/v1',
              kind: 'PodDisruptionBudget',
              spec: { minAvailable: 1, selector: { matchLabels: { app: '{{ .uid }}-web' } } },
            },
            { waitForReady: false, readyWhen: ['self.metadata.name != ""'] },
          ),
        ],
        rollout: { maxSkew: 1, progressDeadlineSeconds: 120 },
      }),
      form({
        name: 'f-min',
        namespace: ns,
        hubId: 'h-pg',
        configMaps: [configMap('c', { a: 'b' })],
      }),
    ];
    return { hubs, forms };
  };

  it('every hub and form shape', async () => {
    const { hubs, forms } = every();
    for (const obj of [...hubs, ...forms]) {
      const created = await s.kube.create(obj, { dryRun: true });
      expect(created.metadata?.name).toBe(obj.metadata.name);
    }
    // Nothing was stored.
    expect(await s.kube.list(Res.Hub, s.namespace)).toEqual([]);
  });

  it('defaults are filled in by the CRD (what the operator will read)', async () => {
    const created = await s.kube.create(
      form({
        name: 'f-defaults',
        namespace: s.namespace,
        hubId: 'h',
        configMaps: [configMap('c', { a: 'b' })],
      }),
      { dryRun: true },
    );
    expect(created.spec.configMaps?.[0]).toMatchObject({
      creationPolicy: 'WhenNeeded',
      deletionPolicy: 'Delete',
      conflictPolicy: 'Stuck',
      patchStrategy: 'apply',
      waitForReady: true,
      timeoutSeconds: 300,
      skipOnDependencyFailure: true,
    });
  });

  it('a misspelled field is refused (the builders cannot hide a typo)', async () => {
    const bad = form({ name: 'f-bad', namespace: s.namespace, hubId: 'h' });
    await expect(
      s.kube.create({ ...bad, spec: { ...bad.spec, configMap: [] } }, { dryRun: true }),
    ).rejects.toThrow(/configMap/);
  });
});

describe('waits', () => {
  it('a timeout says what was awaited and what was seen last', async () => {
    const err = await waitFor(
      (note) => {
        note({ ready: 1, desired: 2 });
        return false;
      },
      { what: 'something impossible', timeoutMs: 300, intervalMs: 50 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toMatch(/something impossible/);
    expect((err as Error).message).toMatch(/ready: 1, desired: 2/);
  });

  it('holdsFor fails at the first broken observation', async () => {
    let n = 0;
    const err = await holdsFor(
      (note) => {
        note({ n });
        return ++n < 3;
      },
      { what: 'n stays small', durationMs: 5_000, intervalMs: 10 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvariantBrokenError);
    expect(n).toBe(3);
  });
});

describe('metrics parsing', () => {
  it('keeps label order and escapes', () => {
    const m = parseMetrics(
      [
        '# HELP lynqnode_condition_status Condition status',
        '# TYPE lynqnode_condition_status gauge',
        'lynqnode_condition_status{lynqnode="a-web",namespace="n",type="Ready"} 1',
        'hub_desired{hub="h",namespace="n"} 3',
        'odd{msg="a \\"quoted\\" \\\\ value"} +Inf',
      ].join('\n'),
    );
    expect(m.find('lynqnode_condition_status')[0]?.labels.map(([k]) => k)).toEqual([
      'lynqnode',
      'namespace',
      'type',
    ]);
    expect(m.value('hub_desired', { hub: 'h' })).toBe(3);
    expect(m.find('odd')[0]?.labels[0]?.[1]).toBe('a "quoted" \\ value');
    expect(m.types.get('lynqnode_condition_status')).toBe('gauge');
  });
});

describe('database relay', () => {
  it('relays to MariaDB, refuses connections while down, and comes back on the same port', async () => {
    const target = new URL(mysqlUrl());
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
    try {
      const viaProxy = new URL(mysqlUrl());
      viaProxy.port = String(proxy.port);
      const db = mysqlDb(viaProxy.toString());
      try {
        expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        await proxy.refuse();
        const refused = await new Promise<boolean>((resolve) => {
          const sock = connect(proxy.port, '127.0.0.1');
          sock.once('connect', () => {
            sock.destroy();
            resolve(false);
          });
          sock.once('error', () => resolve(true));
        });
        expect(refused).toBe(true);
        await proxy.pass();
        expect(await db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      } finally {
        await db.close();
      }
    } finally {
      await proxy.close();
    }
  });
});
