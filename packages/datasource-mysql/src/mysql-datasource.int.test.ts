import { createServer, type Socket } from 'node:net';
import {
  ACTIVATE_TRUTHY,
  DatasourceRegistry,
  type Datasource,
  type FetchResult,
} from '@lynq/datasource';
import { assertDatasourceConformance, datasourceRejection } from '@lynq/datasource/testing';
import { createMysqlTable, uniqueName, waitFor, type MysqlTable } from '@lynq/testkit';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource } from './mysql-datasource.js';
import { datasourcePlugin } from './plugin.js';
import {
  adminConnection,
  createUser,
  insertRows,
  mysqlContext,
  serverSource,
  type ContextOptions,
} from './testing/fixtures.js';

const database = serverSource().database;
let admin: mysql.Connection;
const tables: MysqlTable[] = [];
const views: string[] = [];
const open: Datasource[] = [];

beforeAll(async () => {
  admin = await adminConnection();
});

afterAll(async () => {
  for (const d of open) await d.close();
  for (const v of views) await admin.query(`DROP VIEW IF EXISTS ${admin.escapeId(v)}`);
  for (const t of tables) await t.drop();
  await admin.end();
});

async function table(ddl: string): Promise<string> {
  const t = await createMysqlTable(ddl, { prefix: 'lynq_ds' });
  tables.push(t);
  return t.table;
}

async function datasource(tableName: string, options: ContextOptions = {}): Promise<Datasource> {
  const ds = await createMysqlDatasource(mysqlContext(tableName, options));
  open.push(ds);
  return ds;
}

const fetch = (ds: Datasource) => ds.fetchRows(new AbortController().signal);

const failure = datasourceRejection;

const byUid = (result: FetchResult) => Object.fromEntries(result.rows.map((r) => [r.uid, r]));

describe('MySQL datasource: mappings and values', () => {
  let tenants: string;

  beforeAll(async () => {
    tenants = await table(
      'id VARCHAR(64) PRIMARY KEY, active VARCHAR(16) NULL, url VARCHAR(255) NULL, plan VARCHAR(32) NULL, region VARCHAR(32) NULL',
    );
    await admin.query(
      `INSERT INTO ${admin.escapeId(tenants)} VALUES
        ('acme', '1', 'https://acme.example.com', 'gold', 'eu'),
        ('globex', '0', NULL, NULL, 'us'),
        ('ünïcødé-😀', 'true', 'https://xn--nc-wka.example', '金', 'ap')`,
    );
  });

  it('reads uid and activate only', async () => {
    const result = await fetch(await datasource(tenants));
    expect(result.problems).toEqual([]);
    expect(result.totalRows).toBe(3);
    expect(byUid(result)).toEqual({
      acme: { uid: 'acme', activate: '1', active: true, extras: {} },
      globex: { uid: 'globex', activate: '0', active: false, extras: {} },
      'ünïcødé-😀': { uid: 'ünïcødé-😀', activate: 'true', active: true, extras: {} },
    });
  });

  it('reads hostOrUrl and extras, NULL as ""', async () => {
    const ds = await datasource(tenants, {
      mappings: { uid: 'id', activate: 'active', hostOrUrl: 'url' },
      extra: { planId: 'plan', region: 'region', tenantId: 'id' },
    });
    const rows = byUid(await fetch(ds));
    expect(rows['acme']).toEqual({
      uid: 'acme',
      activate: '1',
      active: true,
      hostOrUrl: 'https://acme.example.com',
      extras: { planId: 'gold', region: 'eu', tenantId: 'acme' },
    });
    expect(rows['globex']).toEqual({
      uid: 'globex',
      activate: '0',
      active: false,
      hostOrUrl: '',
      extras: { planId: '', region: 'us', tenantId: 'globex' },
    });
    expect(rows['ünïcødé-😀']!.extras['planId']).toBe('金');
  });

  it('treats exactly the truthy set as active', async () => {
    const t = await table('id INT PRIMARY KEY, active VARCHAR(16) NULL');
    const values = [
      ...ACTIVATE_TRUTHY,
      '0',
      'false',
      'no',
      '',
      null,
      'tRUE',
      'on',
      ' 1',
      '1 ',
      'y',
      '2',
    ];
    await insertRows(admin, t, ['id', 'active'], values.length, (i) => [i, values[i]!]);
    const rows = byUid(await fetch(await datasource(t)));
    for (const [i, v] of values.entries()) {
      expect(rows[String(i)], `activate ${JSON.stringify(v)}`).toMatchObject({
        activate: v ?? '',
        active: i < ACTIVATE_TRUTHY.length,
      });
    }
  });

  it('converts column types to the strings Lynq sees', async () => {
    const t = await table(
      `id INT PRIMARY KEY, active TINYINT(1), big BIGINT UNSIGNED, price DECIMAL(10,2), ratio DOUBLE, f FLOAT,
       created DATETIME(6), ts TIMESTAMP NULL, day DATE, zero DATETIME NULL, t TIME, flag BIT(1), doc JSON, bin VARBINARY(8),
       kind ENUM('a','b'), latin VARCHAR(8) CHARACTER SET latin1`,
    );
    await admin.query(`SET @@session.sql_mode = ''`);
    await admin.query(
      `INSERT INTO ${admin.escapeId(t)} VALUES (7, 1, 18446744073709551615, 12.50, 1e20, 0.5,
        '2024-05-01 13:45:00.250000', '2024-05-01 13:45:00', '2024-05-01', '0000-00-00 00:00:00', '12:34:56', b'1',
        '{"a": [1, true]}', X'68C3A9', 'b', 'café')`,
    );
    const extra = Object.fromEntries(
      [
        'big',
        'price',
        'ratio',
        'f',
        'created',
        'ts',
        'day',
        'zero',
        't',
        'flag',
        'doc',
        'bin',
        'kind',
        'latin',
      ].map((c) => [c, c]),
    );
    const [row] = (await fetch(await datasource(t, { extra }))).rows;
    expect(row).toEqual({
      uid: '7',
      activate: '1',
      active: true,
      extras: {
        big: '18446744073709551615',
        price: '12.50',
        ratio: '100000000000000000000',
        f: '0.5',
        created: '2024-05-01T13:45:00.25Z',
        ts: '2024-05-01T13:45:00Z',
        day: '2024-05-01T00:00:00Z',
        zero: '0001-01-01T00:00:00Z',
        t: '12:34:56',
        flag: '1',
        doc: '{"a": [1, true]}',
        bin: 'hé',
        kind: 'b',
        latin: 'café',
      },
    });
  });

  it('reports NULL, empty and duplicate uids with the offending values', async () => {
    const t = await table('n INT PRIMARY KEY, id VARCHAR(16) NULL, active VARCHAR(4)');
    await admin.query(
      `INSERT INTO ${admin.escapeId(t)} VALUES (1,'a','1'),(2,NULL,'1'),(3,'dup','1'),(4,'','1'),(5,'dup','0'),(6,'b','1')`,
    );
    // Row order follows the primary key here; the datasource adds no ORDER BY.
    const result = await fetch(await datasource(t));
    expect(result.rows.map((r) => r.uid).sort()).toEqual(['a', 'b']);
    expect(result.totalRows).toBe(6);
    expect(result.problems.map((p) => [p.code, p.uid, p.count])).toEqual([
      ['EMPTY_UID', '', 2],
      ['DUPLICATE_UID', 'dup', 2],
    ]);
  });

  it('reads a VIEW', async () => {
    const view = uniqueName('lynq_v', '_');
    views.push(view);
    await admin.query(
      `CREATE VIEW ${admin.escapeId(view)} AS SELECT CONCAT('t-', id) AS uid, IF(active = '1', 'yes', 'no') AS enabled, plan FROM ${admin.escapeId(tenants)}`,
    );
    const ds = await datasource(view, {
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

  it('reads a database-qualified table name the way Lynq did', async () => {
    const rows = (
      await fetch(await datasource(`${database}.${tenants}`, { source: { database: 'mysql' } }))
    ).rows;
    expect(rows).toHaveLength(3);
  });

  it('fetches 100,000 rows', async () => {
    const t = await table(
      'id VARCHAR(16) PRIMARY KEY, active CHAR(1), a VARCHAR(16), b VARCHAR(16)',
    );
    await insertRows(admin, t, ['id', 'active', 'a', 'b'], 100_000, (i) => [
      `u${i}`,
      i % 3 === 0 ? '0' : '1',
      `a${i}`,
      null,
    ]);
    const result = await fetch(await datasource(t, { extra: { a: 'a', b: 'b' } }));
    expect(result.totalRows).toBe(100_000);
    expect(result.rows).toHaveLength(100_000);
    expect(result.problems).toEqual([]);
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
      context: mysqlContext(tenants, { extra: { planId: 'plan' } }),
      expectedRows: [
        { uid: 'acme', activate: '1', active: true, extras: { planId: 'gold' } },
        { uid: 'globex', activate: '0', active: false, extras: { planId: '' } },
        { uid: 'ünïcødé-😀', activate: 'true', active: true, extras: { planId: '金' } },
      ],
      expectedProblems: [],
    });
  });

  it('is the built-in mysql type of the registry', async () => {
    const ds = await new DatasourceRegistry().create(mysqlContext(tenants));
    open.push(ds);
    expect((await fetch(ds)).rows).toHaveLength(3);
  });
});

describe('MySQL datasource: SQL injection through names', () => {
  it('quotes a hostile table name instead of running it', async () => {
    const victim = await table('id INT');
    const hostile = `x\`; DROP TABLE \`${victim}\`; --`;
    const err = await failure(fetch(await datasource(hostile)));
    expect(err.code).toBe('UNKNOWN_TABLE');
    const [rows] = await admin.query(`SHOW TABLES LIKE ${admin.escape(victim)}`);
    expect(rows).toHaveLength(1);
  });

  it('reads a table and columns whose names contain quotes and SQL', async () => {
    const name = `${uniqueName('t', '_')}\`"'; --`;
    tables.push({
      table: name,
      url: '',
      drop: () => admin.query(`DROP TABLE IF EXISTS ${admin.escapeId(name)}`).then(() => undefined),
    });
    await admin.query(
      `CREATE TABLE ${admin.escapeId(name)} (\`id\`\`; DROP\` VARCHAR(8), \`on"off\` CHAR(1), \`it's\` VARCHAR(8))`,
    );
    await admin.query(`INSERT INTO ${admin.escapeId(name)} VALUES ('a', '1', 'x')`);
    const ds = await datasource(name, {
      mappings: { uid: 'id`; DROP', activate: 'on"off' },
      extra: { v: "it's" },
    });
    expect((await fetch(ds)).rows).toEqual([
      { uid: 'a', activate: '1', active: true, extras: { v: 'x' } },
    ]);
  });

  it('treats a hostile column as an unknown column', async () => {
    const t = await table('id INT, active CHAR(1)');
    const err = await failure(
      fetch(await datasource(t, { extra: { x: 'id`, (SELECT SLEEP(5)) AS `y' } })),
    );
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toBe(
      `column "id\`, (SELECT SLEEP(5)) AS \`y" (spec.extraValueMappings.x) does not exist in table ${database}.${t}`,
    );
  });

  it('rejects names that cannot be identifiers before connecting', async () => {
    await expect(createMysqlDatasource(mysqlContext('a'.repeat(65)))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      fields: ['spec.source.mysql.table'],
      hub: 'default/hub-under-test',
    });
    await expect(
      createMysqlDatasource(mysqlContext('t', { extra: { v: 'a\0b' } })),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      fields: ['spec.extraValueMappings.v'],
    });
  });
});

describe('MySQL datasource: errors', () => {
  let t: string;
  beforeAll(async () => {
    t = await table('id VARCHAR(8), active CHAR(1)');
    await admin.query(`INSERT INTO ${admin.escapeId(t)} VALUES ('a', '1')`);
  });

  it('names the missing column and the mapping that refers to it', async () => {
    const err = await failure(
      fetch(await datasource(t, { extra: { planId: 'plan', region: 'Region' } })),
    );
    expect(err.code).toBe('UNKNOWN_COLUMN');
    expect(err.message).toBe(
      `column "plan" (spec.extraValueMappings.planId), column "Region" (spec.extraValueMappings.region) do not exist in table ${database}.${t}`,
    );
    expect(err.columns).toEqual(['plan', 'Region']);
    expect(err.fields).toEqual([
      'spec.extraValueMappings.planId',
      'spec.extraValueMappings.region',
    ]);
  });

  it('reports a missing table', async () => {
    const err = await failure(fetch(await datasource(`${t}_missing`)));
    expect(err.code).toBe('UNKNOWN_TABLE');
    expect(err.message).toBe(
      `table ${database}.${t}_missing does not exist (spec.source.mysql.table)`,
    );
  });

  it('reports an unknown database', async () => {
    const err = await failure(
      fetch(await datasource(t, { source: { database: 'lynq_no_such_db' } })),
    );
    expect(err.code).toBe('UNKNOWN_DATABASE');
    expect(err.message).toMatch(/^database lynq_no_such_db does not exist on /);
  });

  it('reports a wrong host and a closed port', async () => {
    const dns = await failure(
      fetch(await datasource(t, { source: { host: 'no-such-host.invalid' } })),
    );
    expect(dns.code).toBe('CONNECT_FAILED');
    expect(dns.message).toMatch(
      /^cannot connect to MySQL at no-such-host\.invalid:3306: (ENOTFOUND|EAI_AGAIN)$/,
    );
    expect(dns.retryable).toBe(true);
    const refused = await failure(fetch(await datasource(t, { source: { port: 1 } })));
    expect(refused.code).toBe('CONNECT_FAILED');
  });

  it('times out connecting to a server that never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const ds = await datasource(t, { source: { port }, limits: { connectTimeoutMs: 300 } });
      const started = Date.now();
      const err = await failure(fetch(ds));
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toBe(`connecting to MySQL at 127.0.0.1:${port} timed out after 300 ms`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports TLS that the server cannot do', async () => {
    const err = await failure(fetch(await datasource(t, { source: { tls: { mode: 'require' } } })));
    expect(err.code).toBe('TLS_FAILED');
  });

  it('reports a wrong password without revealing it, and recovers when the Secret is fixed', async () => {
    const user = await createUser(admin, database);
    try {
      const secrets: Record<string, string> = { 'db/password': 'wrong-password-123' };
      const ds = await datasource(t, {
        source: { username: user.name, passwordRef: { name: 'db', key: 'password' } },
        secrets,
      });
      const err = await failure(fetch(ds));
      expect(err.code).toBe('AUTH_FAILED');
      expect(err.message).toContain(`Access denied for user '${user.name}'`);
      expect(err.message).not.toContain('wrong-password-123');
      expect(JSON.stringify(ds.describe())).not.toContain('wrong-password-123');
      expect(ds.describe().health).toMatchObject({
        state: 'failing',
        lastError: { code: 'AUTH_FAILED' },
      });
      secrets['db/password'] = user.password; // the Secret was rotated
      expect((await fetch(ds)).rows).toHaveLength(1);
      expect(ds.describe().health.state).toBe('ok');
    } finally {
      await user.drop();
    }
  });

  it('reports an unreadable Secret', async () => {
    const err = await failure(
      fetch(await datasource(t, { source: { passwordRef: { name: 'nope', key: 'pw' } } })),
    );
    expect(err.code).toBe('SECRET_UNAVAILABLE');
    expect(err.fields).toEqual(['spec.source.mysql.passwordRef']);
  });

  it('rejects fetches after close, and close is idempotent', async () => {
    const ds = await datasource(t);
    await fetch(ds);
    await ds.close();
    await ds.close();
    expect((await failure(fetch(ds))).code).toBe('CLOSED');
  });
});

describe('MySQL datasource: connections', () => {
  let base: string;
  let slow: string;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    base = await table('id VARCHAR(8), active CHAR(1)');
    await admin.query(
      `INSERT INTO ${admin.escapeId(base)} VALUES ('a','1'),('b','1'),('c','0'),('d','1')`,
    );
    // Each row sleeps 0.4 s, so one fetch runs for about 1.6 s: time to kill it.
    slow = uniqueName('lynq_slow', '_');
    views.push(slow);
    await admin.query(
      `CREATE VIEW ${admin.escapeId(slow)} AS SELECT id, active FROM ${admin.escapeId(base)} WHERE SLEEP(0.4) = 0`,
    );
    user = await createUser(admin, database);
  });
  afterAll(async () => {
    await user.drop();
  });

  const asUser = (extra: ContextOptions = {}): ContextOptions => ({
    source: { username: user.name, passwordRef: { name: 'db', key: 'password' } },
    secrets: { 'db/password': user.password },
    ...extra,
  });

  async function sessions(): Promise<{ id: number; info: string | null }[]> {
    const [rows] = await admin.query(
      'SELECT ID AS id, INFO AS info FROM information_schema.PROCESSLIST WHERE USER = ?',
      [user.name],
    );
    return rows as { id: number; info: string | null }[];
  }

  it('keeps one pooled connection across fetches', async () => {
    const ds = await datasource(base, asUser());
    for (let i = 0; i < 3; i++) await fetch(ds);
    const ids = (await sessions()).map((s) => s.id);
    expect(ids).toHaveLength(1);
    await fetch(ds);
    expect((await sessions()).map((s) => s.id)).toEqual(ids);
    await ds.close();
    await waitFor('sessions to end', async () => (await sessions()).length === 0, {
      timeoutMs: 5000,
    });
  });

  it('fails a fetch whose connection is killed by the server, and succeeds on the next', async () => {
    const ds = await datasource(slow, asUser());
    const pending = failure(fetch(ds)); // handled from the start: it rejects while we wait
    const victim = await waitFor(
      'the query to run',
      async () => (await sessions()).find((s) => s.info?.includes('SELECT')),
      {
        timeoutMs: 5000,
      },
    );
    await admin.query(`KILL ${Number(victim.id)}`);
    const err = await pending;
    expect(err.code).toBe('CONNECTION_LOST');
    expect(err.retryable).toBe(true);
    expect((await fetch(ds)).rows).toHaveLength(4);
  }, 20_000);

  it('replaces an idle pooled connection killed by the server', async () => {
    const before = new Set((await sessions()).map((x) => x.id));
    const ds = await datasource(base, asUser());
    await fetch(ds);
    const idle = (await sessions()).find((x) => !before.has(x.id));
    expect(idle).toBeDefined();
    await admin.query(`KILL ${Number(idle!.id)}`);
    await waitFor(
      'the killed session to end',
      async () => !(await sessions()).some((x) => x.id === idle!.id),
      { timeoutMs: 5000 },
    );
    // The server closed the socket before the session left the process list, but Node may have
    // read the answer to that last poll first, in the same batch of socket events. One turn of
    // the event loop lets the pool see the idle connection close, which is the case under test.
    await new Promise((resolve) => setImmediate(resolve));
    expect((await fetch(ds)).rows).toHaveLength(4);
    await ds.close();
  });

  it('aborts a running query promptly and fetches again afterwards', async () => {
    const ds = await datasource(slow, asUser());
    const controller = new AbortController();
    const pending = failure(ds.fetchRows(controller.signal));
    await waitFor(
      'the query to run',
      async () => (await sessions()).some((s) => s.info?.includes('SELECT')),
      { timeoutMs: 5000 },
    );
    const started = Date.now();
    controller.abort();
    const err = await pending;
    expect(err.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(300);
    expect((await fetch(ds)).rows).toHaveLength(4);
  }, 20_000);

  it('rejects a fetch in flight with CLOSED when the datasource is closed', async () => {
    const ds = await datasource(slow, asUser());
    const pending = failure(fetch(ds)); // handled from the start: it rejects while we wait
    await waitFor(
      'the query to run',
      async () => (await sessions()).some((s) => s.info?.includes('SELECT')),
      {
        timeoutMs: 5000,
      },
    );
    await ds.close();
    expect((await pending).code).toBe('CLOSED');
  }, 20_000);

  it('times out a slow query', async () => {
    const ds = await datasource(slow, asUser({ limits: { queryTimeoutMs: 300 } }));
    const err = await failure(fetch(ds));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe(
      `reading ${database}.${slow} timed out: no row received for 300 ms (queryTimeoutMs)`,
    );
  });
});
