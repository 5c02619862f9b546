import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import {
  ACTIVATE_TRUTHY,
  DatasourceRegistry,
  type ChangeEvent,
  type Datasource,
  type FetchResult,
} from '@lynq/datasource';
import { assertDatasourceConformance, datasourceRejection } from '@lynq/datasource/testing';
import { createPgSchema, uniqueName, waitFor, type PgSchema } from '@lynq/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installChangeTrigger, notifyChannel, removeChangeTrigger } from './change-trigger.js';
import { createPgDatasource } from './pg-datasource.js';
import { datasourcePlugin } from './plugin.js';
import { adminClient, createRole, pgContext, type ContextOptions } from './testing/fixtures.js';

let admin: pg.Client;
let fixture: PgSchema;
let schema: string;
const open: Datasource[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  admin = await adminClient();
  fixture = await createPgSchema({ prefix: 'lynq_ds' });
  schema = fixture.schema;
});

afterAll(async () => {
  for (const d of open) await d.close();
  for (const c of cleanups.reverse()) await c();
  await fixture.drop();
  await admin.end();
});

const q = (name: string) => admin.escapeIdentifier(name);
const t = (name: string) => `${q(schema)}.${q(name)}`;

async function datasource(table: string, options: ContextOptions = {}): Promise<Datasource> {
  const ds = await createPgDatasource(pgContext(schema, table, options));
  open.push(ds);
  return ds;
}

const fetch = (ds: Datasource) => ds.fetchRows(new AbortController().signal);

const failure = datasourceRejection;

const byUid = (result: FetchResult) => Object.fromEntries(result.rows.map((r) => [r.uid, r]));

describe('PostgreSQL datasource: mappings and values', () => {
  beforeAll(async () => {
    await admin.query(
      `CREATE TABLE ${t('tenants')} (id text PRIMARY KEY, active text, url text, plan text, region text)`,
    );
    await admin.query(
      `INSERT INTO ${t('tenants')} VALUES
        ('acme', '1', 'https://acme.example.com', 'gold', 'eu'),
        ('globex', '0', NULL, NULL, 'us'),
        ('ünïcødé-😀', 'true', 'https://xn--nc-wka.example', '金', 'ap')`,
    );
  });

  it('reads uid and activate only', async () => {
    const result = await fetch(await datasource('tenants'));
    expect(result.problems).toEqual([]);
    expect(byUid(result)).toEqual({
      acme: { uid: 'acme', activate: '1', active: true, extras: {} },
      globex: { uid: 'globex', activate: '0', active: false, extras: {} },
      'ünïcødé-😀': { uid: 'ünïcødé-😀', activate: 'true', active: true, extras: {} },
    });
  });

  it('reads hostOrUrl and extras, NULL as ""', async () => {
    const ds = await datasource('tenants', {
      mappings: { uid: 'id', activate: 'active', hostOrUrl: 'url' },
      extra: { planId: 'plan', region: 'region', tenantId: 'id' },
    });
    const rows = byUid(await fetch(ds));
    expect(rows['globex']).toEqual({
      uid: 'globex',
      activate: '0',
      active: false,
      hostOrUrl: '',
      extras: { planId: '', region: 'us', tenantId: 'globex' },
    });
    expect(rows['ünïcødé-😀']).toMatchObject({
      hostOrUrl: 'https://xn--nc-wka.example',
      extras: { planId: '金' },
    });
  });

  it('treats exactly the truthy set as active', async () => {
    await admin.query(`CREATE TABLE ${t('activate')} (id int PRIMARY KEY, active text)`);
    const values = [...ACTIVATE_TRUTHY, '0', 'false', 'no', '', null, 'tRUE', 'on', ' 1', 't', 'y'];
    for (const [i, v] of values.entries()) {
      await admin.query(`INSERT INTO ${t('activate')} VALUES ($1, $2)`, [i, v]);
    }
    const rows = byUid(await fetch(await datasource('activate')));
    for (const [i, v] of values.entries()) {
      expect(rows[String(i)], `activate ${JSON.stringify(v)}`).toMatchObject({
        activate: v ?? '',
        active: i < ACTIVATE_TRUTHY.length,
      });
    }
  });

  it('converts column types to strings, booleans as true/false', async () => {
    await admin.query(`CREATE TYPE ${q(schema)}.mood AS ENUM ('ok', 'sad')`);
    await admin.query(
      `CREATE TABLE ${t('types')} (id bigint, active boolean, price numeric(10,2), ratio float8, small real,
        created timestamp(6), stamped timestamptz, day date, doc jsonb, raw json, bin bytea, u uuid, tags text[], m ${q(schema)}.mood)`,
    );
    await admin.query(
      `INSERT INTO ${t('types')} VALUES (9007199254740993, true, 12.50, 1e20, 0.1,
        '2024-05-01 13:45:00.25', '2024-05-01 15:45:00.5+02', '2024-05-01', '{"b": 1, "a": [true]}', '{"b": 1,  "a": 2}',
        '\\x68c3a9', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', ARRAY['x','y z'], 'sad'),
        (2, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    const columns = [
      'price',
      'ratio',
      'small',
      'created',
      'stamped',
      'day',
      'doc',
      'raw',
      'bin',
      'u',
      'tags',
      'm',
    ];
    const rows = byUid(
      await fetch(
        await datasource('types', { extra: Object.fromEntries(columns.map((c) => [c, c])) }),
      ),
    );
    expect(rows['9007199254740993']).toEqual({
      uid: '9007199254740993',
      activate: 'true',
      active: true,
      extras: {
        price: '12.50',
        ratio: '1e+20',
        small: '0.1',
        created: '2024-05-01T13:45:00.25Z',
        stamped: '2024-05-01T13:45:00.5Z',
        day: '2024-05-01T00:00:00Z',
        doc: '{"a": [true], "b": 1}',
        raw: '{"b": 1,  "a": 2}',
        bin: 'hé',
        u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        tags: '{x,"y z"}',
        m: 'sad',
      },
    });
    expect(rows['2']).toMatchObject({
      activate: 'false',
      active: false,
      extras: { price: '', day: '' },
    });
  });

  it('reports NULL, empty and duplicate uids with the offending values', async () => {
    await admin.query(`CREATE TABLE ${t('dups')} (n int, id text, active text)`);
    await admin.query(
      `INSERT INTO ${t('dups')} VALUES (1,'a','1'),(2,NULL,'1'),(3,'dup','1'),(4,'','1'),(5,'dup','0'),(6,'b','1')`,
    );
    const result = await fetch(await datasource('dups'));
    expect(result.rows.map((r) => r.uid).sort()).toEqual(['a', 'b']);
    expect(result.totalRows).toBe(6);
    expect(result.problems.map((p) => [p.code, p.uid, p.count])).toEqual([
      ['EMPTY_UID', '', 2],
      ['DUPLICATE_UID', 'dup', 2],
    ]);
  });

  it('reads a VIEW', async () => {
    await admin.query(
      `CREATE VIEW ${t('tenant_view')} AS SELECT 't-' || id AS uid, CASE WHEN active = '1' THEN 'yes' ELSE 'no' END AS enabled, plan FROM ${t('tenants')}`,
    );
    const ds = await datasource('tenant_view', {
      mappings: { uid: 'uid', activate: 'enabled' },
      extra: { plan: 'plan' },
    });
    const rows = byUid(await fetch(ds));
    expect(rows['t-acme']).toEqual({
      uid: 't-acme',
      activate: 'yes',
      active: true,
      extras: { plan: 'gold' },
    });
    expect(rows['t-globex']!.active).toBe(false);
  });

  it('fetches 100,000 rows', async () => {
    await admin.query(
      `CREATE TABLE ${t('big')} (id text PRIMARY KEY, active text, a text, b text)`,
    );
    await admin.query(
      `INSERT INTO ${t('big')} SELECT 'u' || i, CASE WHEN i % 3 = 0 THEN '0' ELSE '1' END, 'a' || i, NULL FROM generate_series(0, 99999) i`,
    );
    const result = await fetch(await datasource('big', { extra: { a: 'a', b: 'b' } }));
    expect(result.totalRows).toBe(100_000);
    expect(result.rows).toHaveLength(100_000);
    expect(result.rows.filter((r) => r.active)).toHaveLength(66_666);
    expect(byUid(result)['u99999']).toEqual({
      uid: 'u99999',
      activate: '0',
      active: false,
      extras: { a: 'a99999', b: '' },
    });
  }, 60_000);

  it('passes the conformance kit', async () => {
    await assertDatasourceConformance({
      plugin: datasourcePlugin,
      context: pgContext(schema, 'tenants', { extra: { planId: 'plan' } }),
      expectedRows: [
        { uid: 'acme', activate: '1', active: true, extras: { planId: 'gold' } },
        { uid: 'globex', activate: '0', active: false, extras: { planId: '' } },
        { uid: 'ünïcødé-😀', activate: 'true', active: true, extras: { planId: '金' } },
      ],
      expectedProblems: [],
    });
  });

  it('is the built-in postgresql type of the registry', async () => {
    const ds = await new DatasourceRegistry().create(pgContext(schema, 'tenants'));
    open.push(ds);
    expect((await fetch(ds)).rows).toHaveLength(3);
  });

  it('connects with each TLS mode', async () => {
    const ca = readFileSync('/etc/ssl/certs/ssl-cert-snakeoil.pem', 'utf8');
    const caRef = { name: 'db-ca', key: 'ca.crt' };
    const secrets = { 'db-ca/ca.crt': ca };
    // The server's certificate is self-signed for "localhost".
    for (const [mode, host] of [
      ['require', '127.0.0.1'],
      ['verify-ca', '127.0.0.1'],
      ['verify-full', 'localhost'],
    ] as const) {
      const ds = await datasource('tenants', {
        source: { host, tls: { mode, caSecretRef: caRef } },
        secrets,
      });
      expect((await fetch(ds)).rows, mode).toHaveLength(3);
      expect(ds.describe().target).toContain(`tls=${mode}`);
    }
    const wrongHost = await failure(
      fetch(
        await datasource('tenants', {
          source: { tls: { mode: 'verify-full', caSecretRef: caRef } },
          secrets,
        }),
      ),
    );
    expect(wrongHost.code).toBe('TLS_FAILED');
    const noCa = await failure(
      fetch(await datasource('tenants', { source: { tls: { mode: 'verify-ca' } } })),
    );
    expect(noCa.code).toBe('TLS_FAILED');
  });
});

describe('PostgreSQL datasource: SQL injection through names', () => {
  it('quotes a hostile table name instead of running it', async () => {
    await admin.query(`CREATE TABLE ${t('victim')} (id int)`);
    const err = await failure(fetch(await datasource(`x"; DROP TABLE ${q(schema)}.victim; --`)));
    expect(err.code).toBe('UNKNOWN_TABLE');
    const { rows } = await admin.query(`SELECT to_regclass($1) AS r`, [`${q(schema)}.victim`]);
    expect(rows[0].r).not.toBeNull();
  });

  it('reads a schema, table and columns whose names contain quotes and SQL', async () => {
    const odd = `${uniqueName('s', '_')}"'; --`;
    await admin.query(`CREATE SCHEMA ${q(odd)}`);
    cleanups.push(() =>
      admin.query(`DROP SCHEMA IF EXISTS ${q(odd)} CASCADE`).then(() => undefined),
    );
    await admin.query(
      `CREATE TABLE ${q(odd)}.${q('Tab"le; DROP')} (${q('id"; --')} text, ${q('On')} text, ${q("it's")} text)`,
    );
    await admin.query(`INSERT INTO ${q(odd)}.${q('Tab"le; DROP')} VALUES ('a', '1', 'x')`);
    const ds = await createPgDatasource(
      pgContext(odd, 'Tab"le; DROP', {
        mappings: { uid: 'id"; --', activate: 'On' },
        extra: { v: "it's" },
      }),
    );
    open.push(ds);
    expect((await fetch(ds)).rows).toEqual([
      { uid: 'a', activate: '1', active: true, extras: { v: 'x' } },
    ]);
  });

  it('treats a hostile column as an unknown column', async () => {
    const err = await failure(
      fetch(await datasource('tenants', { extra: { x: 'id", pg_sleep(5) AS "y' } })),
    );
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toBe(
      `column "id\\", pg_sleep(5) AS \\"y" (spec.extraValueMappings.x) does not exist in table ${schema}.tenants`,
    );
  });

  it('rejects names PostgreSQL would truncate, before connecting', async () => {
    await expect(createPgDatasource(pgContext(schema, 'x'.repeat(64)))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      fields: ['spec.source.postgresql.table'],
      hub: 'default/hub-under-test',
    });
  });
});

describe('PostgreSQL datasource: errors', () => {
  it('names the missing column and the mapping that refers to it', async () => {
    const err = await failure(
      fetch(await datasource('tenants', { extra: { planId: 'Plan', tier: 'tier' } })),
    );
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toBe(
      `column "Plan" (spec.extraValueMappings.planId), column "tier" (spec.extraValueMappings.tier) do not exist in table ${schema}.tenants`,
    );
    expect(err.fields).toEqual(['spec.extraValueMappings.planId', 'spec.extraValueMappings.tier']);
  });

  it('reports a missing table and a missing schema', async () => {
    const table = await failure(fetch(await datasource('missing')));
    expect(table.code).toBe('UNKNOWN_TABLE');
    expect(table.message).toBe(
      `table ${schema}.missing does not exist (spec.source.postgresql.schema, spec.source.postgresql.table)`,
    );
    const ds = await createPgDatasource(pgContext('lynq_no_such_schema', 'tenants'));
    open.push(ds);
    expect((await failure(fetch(ds))).code).toBe('UNKNOWN_TABLE');
  });

  it('reports an unknown database, an unknown role and a wrong host', async () => {
    const db = await failure(
      fetch(await datasource('tenants', { source: { database: 'lynq_no_such_db' } })),
    );
    expect(db.code).toBe('UNKNOWN_DATABASE');
    const role = await failure(
      fetch(await datasource('tenants', { source: { username: 'lynq_no_such_role' } })),
    );
    expect(role.code).toBe('AUTH_FAILED');
    expect(role.message).toMatch(/role "lynq_no_such_role" does not exist/);
    const host = await failure(
      fetch(await datasource('tenants', { source: { host: 'no-such-host.invalid' } })),
    );
    expect(host.code).toBe('CONNECT_FAILED');
    const port = await failure(fetch(await datasource('tenants', { source: { port: 1 } })));
    expect(port.code).toBe('CONNECT_FAILED');
  });

  it('times out connecting to a server that never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const ds = await datasource('tenants', {
        source: { port },
        limits: { connectTimeoutMs: 300 },
      });
      const started = Date.now();
      const err = await failure(fetch(ds));
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toBe(
        `connecting to PostgreSQL at 127.0.0.1:${port} timed out after 300 ms`,
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('never puts the password in errors or the description', async () => {
    const secrets = { 'db/password': 'pg-secret-value-42' };
    const ds = await datasource('missing', {
      source: { passwordRef: { name: 'db', key: 'password' } },
      secrets,
    });
    const err = await failure(fetch(ds));
    expect(err.message).not.toContain('pg-secret-value-42');
    expect(JSON.stringify(ds.describe())).not.toContain('pg-secret-value-42');
    expect(ds.describe().health).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
  });
});

describe('PostgreSQL datasource: connections', () => {
  let role: Awaited<ReturnType<typeof createRole>>;

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${t('base')} (id text, active text)`);
    await admin.query(`INSERT INTO ${t('base')} VALUES ('a','1'),('b','1'),('c','0'),('d','1')`);
    // Each row sleeps 0.4 s, so one fetch runs for about 1.6 s: time to terminate it.
    await admin.query(
      `CREATE VIEW ${t('slow')} AS SELECT id, active FROM ${t('base')} WHERE pg_sleep(0.4)::text = ''`,
    );
    role = await createRole(admin, schema);
  });
  afterAll(async () => {
    await role.drop();
  });

  const asRole = (extra: ContextOptions = {}): ContextOptions => ({
    source: { username: role.name },
    ...extra,
  });

  async function sessions(): Promise<{ pid: number; query: string; state: string }[]> {
    const { rows } = await admin.query(
      'SELECT pid, query, state FROM pg_stat_activity WHERE usename = $1',
      [role.name],
    );
    return rows as { pid: number; query: string; state: string }[];
  }
  const running = async (text: string) =>
    (await sessions()).find((s) => s.state === 'active' && s.query.includes(text));

  it('keeps one pooled connection across fetches', async () => {
    const ds = await datasource('base', asRole());
    for (let i = 0; i < 3; i++) await fetch(ds);
    const pids = (await sessions()).map((s) => s.pid);
    expect(pids).toHaveLength(1);
    await fetch(ds);
    expect((await sessions()).map((s) => s.pid)).toEqual(pids);
    await ds.close();
    await waitFor('sessions to end', async () => (await sessions()).length === 0, {
      timeoutMs: 5000,
    });
  });

  it('fails a fetch whose connection is terminated by the server, and succeeds on the next', async () => {
    const ds = await datasource('slow', asRole());
    const pending = failure(fetch(ds)); // handled from the start: it rejects while we wait
    const victim = await waitFor('the query to run', () => running('slow'), { timeoutMs: 5000 });
    await admin.query('SELECT pg_terminate_backend($1)', [victim.pid]);
    const err = await pending;
    expect(err.code).toBe('CONNECTION_LOST');
    expect(err.retryable).toBe(true);
    expect((await fetch(ds)).rows).toHaveLength(4);
    await ds.close();
  }, 20_000);

  it('replaces an idle pooled connection terminated by the server', async () => {
    const ds = await datasource('base', asRole());
    await fetch(ds);
    const [idle] = await sessions();
    await admin.query('SELECT pg_terminate_backend($1)', [idle!.pid]);
    await waitFor('the session to end', async () => (await sessions()).length === 0, {
      timeoutMs: 5000,
    });
    // The server sent its FATAL before the session left pg_stat_activity, but Node may have read
    // the answer to that last poll first, in the same batch of socket events. One turn of the
    // event loop lets the pool see the idle connection die, which is the case under test.
    await new Promise((resolve) => setImmediate(resolve));
    expect((await fetch(ds)).rows).toHaveLength(4);
    await ds.close();
  });

  it('aborts a running query promptly, cancels it on the server, and fetches again', async () => {
    const ds = await datasource('slow', asRole());
    const controller = new AbortController();
    const pending = failure(ds.fetchRows(controller.signal));
    await waitFor('the query to run', () => running('slow'), { timeoutMs: 5000 });
    const started = Date.now();
    controller.abort();
    const err = await pending;
    expect(err.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(300);
    await waitFor(
      'the cancelled query to stop',
      async () => (await running('slow')) === undefined,
      {
        timeoutMs: 1000,
      },
    );
    expect((await fetch(ds)).rows).toHaveLength(4);
    await ds.close();
  }, 20_000);

  it('rejects a fetch in flight with CLOSED when the datasource is closed', async () => {
    const ds = await datasource('slow', asRole());
    const pending = failure(fetch(ds)); // handled from the start: it rejects while we wait
    await waitFor('the query to run', () => running('slow'), { timeoutMs: 5000 });
    const closing = ds.close();
    expect((await pending).code).toBe('CLOSED');
    await closing;
  }, 20_000);

  it('times out a query that sends no row for queryTimeoutMs, and cancels it on the server', async () => {
    const ds = await datasource('slow', asRole({ limits: { queryTimeoutMs: 300 } }));
    const err = await failure(fetch(ds));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      `reading ${schema}.slow timed out: no row received for 300 ms (queryTimeoutMs)`,
    );
    await waitFor(
      'the timed-out query to stop',
      async () => (await running('slow')) === undefined,
      { timeoutMs: 2000 },
    );
    await ds.close();
  });
});

describe('PostgreSQL datasource: change notifications', () => {
  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${t('watched')} (id text PRIMARY KEY, active text)`);
    await installChangeTrigger(admin, { schema, table: 'watched' });
  });

  function recorder(ds: Datasource) {
    const events: ChangeEvent[] = [];
    const unsubscribe = ds.watch!((e) => events.push(e));
    const next = async (what: string, match: (e: ChangeEvent) => boolean) => {
      const from = events.length;
      return waitFor(what, () => Promise.resolve(events.slice(from).find(match)), {
        timeoutMs: 3000,
        intervalMs: 20,
      });
    };
    return { events, unsubscribe, next };
  }

  it('delivers a notification after INSERT, UPDATE, DELETE and TRUNCATE', async () => {
    const ds = await datasource('watched');
    const { events, unsubscribe } = recorder(ds);
    await waitFor('the listener', () => Promise.resolve(events.find((e) => e.kind === 'resync')), {
      timeoutMs: 5000,
    });
    expect(ds.describe().health.watch).toBe('listening');
    const statements: [string, string][] = [
      ['INSERT', `INSERT INTO ${t('watched')} VALUES ('a', '1')`],
      ['UPDATE', `UPDATE ${t('watched')} SET active = '0'`],
      ['DELETE', `DELETE FROM ${t('watched')}`],
      ['TRUNCATE', `TRUNCATE ${t('watched')}`],
    ];
    for (const [operation, sql] of statements) {
      const from = events.length;
      const started = Date.now();
      await admin.query(sql);
      await waitFor(
        operation,
        () => Promise.resolve(events.slice(from).find((e) => e.operation === operation)),
        {
          timeoutMs: 1000,
          intervalMs: 10,
        },
      );
      expect(Date.now() - started).toBeLessThan(1000);
    }
    expect(events.filter((e) => e.kind === 'change').map((e) => e.operation)).toEqual([
      'INSERT',
      'UPDATE',
      'DELETE',
      'TRUNCATE',
    ]);
    unsubscribe();
    unsubscribe();
  });

  it('survives a terminated listener connection', async () => {
    const ds = await datasource('watched');
    const watch = recorder(ds);
    await watch.next('the listener', (e) => e.kind === 'resync');
    const listenChannel = notifyChannel({ schema, table: 'watched' });
    const { rows } = await admin.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'lynq' AND query = $1`,
      [`LISTEN ${admin.escapeIdentifier(listenChannel)}`],
    );
    expect(rows.length).toBeGreaterThan(0);
    const resynced = watch.next('a resync after reconnecting', (e) => e.kind === 'resync');
    for (const r of rows as { pid: number }[])
      await admin.query('SELECT pg_terminate_backend($1)', [r.pid]);
    await resynced;
    expect(ds.describe().health.watch).toBe('listening');
    const inserted = watch.next('INSERT after reconnecting', (e) => e.operation === 'INSERT');
    await admin.query(`INSERT INTO ${t('watched')} VALUES ('after-reconnect', '1')`);
    await inserted;
    watch.unsubscribe();
    await waitFor(
      'the listener to stop',
      () => Promise.resolve(ds.describe().health.watch === 'stopped'),
      {
        timeoutMs: 2000,
      },
    );
  }, 20_000);

  it('reports why the watch cannot connect, and backs off between attempts', async () => {
    let connections = 0;
    const refusing = createServer((socket) => {
      connections++;
      socket.destroy(); // accepts, then hangs up before the startup reply
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as { port: number }).port;
    try {
      const ds = await datasource('watched', { source: { port } });
      const started = Date.now();
      const unsubscribe = ds.watch!(() => undefined);
      const error = await waitFor(
        'five failed attempts',
        () => {
          const e = ds.describe().health.watchError;
          return Promise.resolve(e !== undefined && e.consecutiveFailures >= 5 ? e : undefined);
        },
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      // 100 ms doubling with jitter of up to half: at least 50 + 100 + 200 + 400 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
      expect(connections).toBeLessThanOrEqual(6);
      expect(ds.describe().health.watch).toBe('reconnecting');
      expect(error).toMatchObject({
        code: 'CONNECTION_LOST',
        message: expect.stringContaining(`PostgreSQL at 127.0.0.1:${port}`) as string,
      });
      unsubscribe();
      await waitFor(
        'the watch to stop',
        () => Promise.resolve(ds.describe().health.watch === 'stopped' || undefined),
        { timeoutMs: 2000 },
      );
      expect(ds.describe().health.watchError).toBeUndefined();
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  }, 20_000);

  it('keeps backing off when the listening connection is dropped right after LISTEN', async () => {
    await admin.query(`CREATE TABLE ${t('stormy')} (id text, active text)`);
    const ds = await datasource('stormy');
    const watch = recorder(ds);
    await watch.next('the listener', (e) => e.kind === 'resync');
    const listen = `LISTEN ${admin.escapeIdentifier(notifyChannel({ schema, table: 'stormy' }))}`;
    const killed: number[] = [];
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE query = $1 AND NOT (pid = ANY($2::int[]))`,
        [listen, killed],
      );
      expect(rows).toHaveLength(1);
      const resynced = watch.next(`resync ${i + 1}`, (e) => e.kind === 'resync');
      const at = Date.now();
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      killed.push(rows[0]!.pid);
      await resynced;
      gaps.push(Date.now() - at);
    }
    // Each reconnect worked, but none lasted: the delay keeps doubling (the 4th is 400-800 ms)
    // instead of starting again at 50-100 ms.
    expect(gaps[3]).toBeGreaterThanOrEqual(350);
    watch.unsubscribe();
  }, 20_000);

  it('notifies a view’s channel from the tables under it', async () => {
    await admin.query(`CREATE TABLE ${t('plans')} (id text, active text)`);
    await admin.query(`CREATE VIEW ${t('plan_view')} AS SELECT id, active FROM ${t('plans')}`);
    await installChangeTrigger(
      admin,
      { schema, table: 'plans' },
      { channel: notifyChannel({ schema, table: 'plan_view' }) },
    );
    const ds = await datasource('plan_view');
    const watch = recorder(ds);
    await watch.next('the listener', (e) => e.kind === 'resync');
    const inserted = watch.next('INSERT', (e) => e.operation === 'INSERT');
    await admin.query(`INSERT INTO ${t('plans')} VALUES ('p', '1')`);
    await inserted;
    watch.unsubscribe();
  });

  it('removes the trigger, and the function once no table uses it', async () => {
    await admin.query(`CREATE TABLE ${t('other')} (id text)`);
    await installChangeTrigger(admin, { schema, table: 'other' });
    const triggers = async () =>
      (
        await admin.query(
          `SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND g.tgname = 'lynq_notify_change' ORDER BY 1`,
          [schema],
        )
      ).rows.map((r: { relname: string }) => r.relname);
    const functions = async () =>
      (
        await admin.query(
          `SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = $1 AND p.proname = 'lynq_notify_change'`,
          [schema],
        )
      ).rows[0].n as number;
    expect(await triggers()).toEqual(['other', 'plans', 'watched']);
    await removeChangeTrigger(admin, { schema, table: 'other' });
    expect(await triggers()).toEqual(['plans', 'watched']);
    expect(await functions()).toBe(1);
    await removeChangeTrigger(admin, { schema, table: 'plans' });
    await removeChangeTrigger(admin, { schema, table: 'watched' });
    expect(await triggers()).toEqual([]);
    expect(await functions()).toBe(0);
    await installChangeTrigger(admin, { schema, table: 'watched' }); // installing again works
    expect(await triggers()).toEqual(['watched']);
  });

  it('derives channel names within PostgreSQL’s limit', () => {
    expect(notifyChannel({ schema: 'public', table: 'tenants' })).toBe('lynq:public.tenants');
    expect(notifyChannel({ table: 'tenants' })).toBe('lynq:public.tenants');
    const long = notifyChannel({ schema: 's'.repeat(40), table: 't'.repeat(40) });
    expect(long).toMatch(/^lynq:[0-9a-f]{40}$/);
    expect(notifyChannel({ schema: 's'.repeat(40), table: 't'.repeat(41) })).not.toBe(long);
  });
});
