// Server sessions and statements a MySQL datasource leaves behind: idle connections, statements
// of fetches that timed out, were aborted or closed, the query timeout and the result-size cap.
import { type Datasource } from '@lynq/datasource';
import { datasourceRejection } from '@lynq/datasource/testing';
import { createMysqlTable, uniqueName, waitFor, type MysqlTable } from '@lynq/testkit';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatasource, MYSQL_DEFAULT_LIMITS } from './mysql-datasource.js';
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
let user: Awaited<ReturnType<typeof createUser>>;
const tables: MysqlTable[] = [];
const views: string[] = [];
const open: Datasource[] = [];
/** Four rows. */
let base: string;
/** The rows of `base`, each after SLEEP(8): one fetch would run for 32 s. */
let sleepy: string;

beforeAll(async () => {
  admin = await adminConnection();
  user = await createUser(admin, database);
  base = await table('id VARCHAR(8), active CHAR(1)');
  await admin.query(
    `INSERT INTO ${admin.escapeId(base)} VALUES ('a','1'),('b','1'),('c','0'),('d','1')`,
  );
  sleepy = await view(`SELECT id, active FROM ${admin.escapeId(base)} WHERE SLEEP(8) = 0`);
});

afterAll(async () => {
  for (const d of open) await d.close();
  // Statements this file failed to kill would hold the tables' metadata locks for 32 s.
  for (const s of await statements()) await admin.query(`KILL ${Number(s.id)}`);
  for (const v of views) await admin.query(`DROP VIEW IF EXISTS ${admin.escapeId(v)}`);
  for (const t of tables) await t.drop();
  await user.drop();
  await admin.end();
});

async function table(ddl: string): Promise<string> {
  const t = await createMysqlTable(ddl, { prefix: 'lynq_ds' });
  tables.push(t);
  return t.table;
}

async function view(select: string): Promise<string> {
  const name = uniqueName('lynq_v', '_');
  views.push(name);
  await admin.query(`CREATE VIEW ${admin.escapeId(name)} AS ${select}`);
  return name;
}

/** Options that connect as this file's own user, so its sessions can be counted. */
const asUser = (extra: ContextOptions = {}): ContextOptions => ({
  ...extra,
  source: { username: user.name, passwordRef: { name: 'db', key: 'password' } },
  secrets: { 'db/password': user.password },
});

async function datasource(tableName: string, options: ContextOptions = {}): Promise<Datasource> {
  const ds = await createMysqlDatasource(mysqlContext(tableName, asUser(options)));
  open.push(ds);
  return ds;
}

const fetch = (ds: Datasource) => ds.fetchRows(new AbortController().signal);
const failure = datasourceRejection;

interface Session {
  id: number;
  command: string;
  info: string | null;
}

/** Every server session of this file's user. */
async function sessions(): Promise<Session[]> {
  const [rows] = await admin.query(
    'SELECT ID AS id, COMMAND AS command, INFO AS info FROM information_schema.PROCESSLIST WHERE USER = ?',
    [user.name],
  );
  return rows as Session[];
}

/** The sessions of this file's user executing a fetch's SELECT. */
async function statements(): Promise<Session[]> {
  return (await sessions()).filter((s) => s.command === 'Query' && s.info?.startsWith('SELECT'));
}

describe('MySQL datasource: idle connections', () => {
  it('closes pooled connections idle for idleTimeoutMs, down to none', async () => {
    const ds = await datasource(base, { limits: { poolSize: 3, idleTimeoutMs: 400 } });
    // Three fetches at once open three connections.
    await Promise.all([fetch(ds), fetch(ds), fetch(ds)]);
    expect((await sessions()).length).toBeGreaterThanOrEqual(2);
    await waitFor('idle sessions to close', async () => (await sessions()).length === 0, {
      timeoutMs: 5000,
      intervalMs: 100,
    });
    // A connection closed for idleness is opened again by the next fetch.
    expect((await fetch(ds)).rows).toHaveLength(4);
    await ds.close();
  });

  it('keeps a connection that is used more often than idleTimeoutMs', async () => {
    const ds = await datasource(base, { limits: { idleTimeoutMs: 1500 } });
    await fetch(ds);
    const [first] = await sessions();
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // a sync interval, not a wait
      await fetch(ds);
    }
    expect((await sessions()).map((s) => s.id)).toEqual([first!.id]);
    await ds.close();
  });

  it('closes idle connections after 60 s unless told otherwise', () => {
    expect(MYSQL_DEFAULT_LIMITS.idleTimeoutMs).toBe(60_000);
  });
});

describe('MySQL datasource: statements of failed fetches', () => {
  it('kills timed-out statements on the server, never running more than poolSize', async () => {
    const ds = await datasource(sleepy, { limits: { poolSize: 2, queryTimeoutMs: 500 } });
    let most = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        most = Math.max(most, (await statements()).length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const errors = await Promise.all(Array.from({ length: 6 }, () => failure(fetch(ds))));
    watching = false;
    await watcher;
    expect(errors.map((e) => e.code)).toEqual(Array(6).fill('TIMEOUT'));
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    await waitFor('timed-out statements to end', async () => (await statements()).length === 0, {
      timeoutMs: 3000,
      intervalMs: 100,
    });
    expect(errors[0]!.message).toBe(
      `reading ${database}.${sleepy} timed out: no row received for 500 ms (queryTimeoutMs)`,
    );
    // The pool is usable afterwards.
    const fast = await datasource(base, { limits: { poolSize: 2, queryTimeoutMs: 500 } });
    expect((await fetch(fast)).rows).toHaveLength(4);
    await fast.close();
    await ds.close();
  }, 30_000);

  it('kills the statement of an aborted fetch', async () => {
    const ds = await datasource(sleepy);
    const controller = new AbortController();
    const pending = failure(ds.fetchRows(controller.signal));
    await waitFor('the query to run', async () => (await statements()).length === 1, {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    const started = Date.now();
    controller.abort();
    expect((await pending).code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(300);
    await waitFor('the aborted statement to end', async () => (await statements()).length === 0, {
      timeoutMs: 3000,
      intervalMs: 100,
    });
    await ds.close();
  }, 20_000);

  it('kills the statements in flight before close() resolves', async () => {
    const ds = await datasource(sleepy, { limits: { poolSize: 3 } });
    const pending = [failure(fetch(ds)), failure(fetch(ds)), failure(fetch(ds))];
    await waitFor('the queries to run', async () => (await statements()).length === 3, {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    await ds.close();
    expect((await Promise.all(pending)).map((e) => e.code)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
    // The server may take a moment to show the killed sessions idle, not 32 s.
    await waitFor('no statement left running', async () => (await statements()).length === 0, {
      timeoutMs: 1000,
      intervalMs: 50,
    });
    await waitFor('the sessions to end', async () => (await sessions()).length === 0, {
      timeoutMs: 3000,
      intervalMs: 100,
    });
  }, 20_000);
});

describe('MySQL datasource: queryTimeoutMs is time without progress', () => {
  it('lets a long fetch that keeps streaming finish', async () => {
    const big = await table('n INT PRIMARY KEY, id VARCHAR(16), active CHAR(1)');
    await insertRows(admin, big, ['n', 'id', 'active'], 200_000, (i) => [i, `u${i}`, '1']);
    // Five pauses of 150 ms spread over the result: the whole fetch takes longer than the
    // timeout, no gap between two rows comes near it.
    const paced = await view(
      `SELECT id, active FROM ${admin.escapeId(big)} WHERE IF(n % 40000 = 0, SLEEP(0.15), 0) = 0`,
    );
    const queryTimeoutMs = 600;
    const ds = await datasource(paced, { limits: { queryTimeoutMs, maxRows: 200_000 } });
    const started = Date.now();
    const result = await fetch(ds);
    const elapsed = Date.now() - started;
    expect(result.totalRows).toBe(200_000);
    expect(result.rows).toHaveLength(200_000);
    expect(elapsed).toBeGreaterThan(queryTimeoutMs);
  }, 60_000);

  it('times out a statement that sends nothing for queryTimeoutMs', async () => {
    const ds = await datasource(sleepy, { limits: { queryTimeoutMs: 300 } });
    const started = Date.now();
    const err = await failure(fetch(ds));
    expect(err.code).toBe('TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('MySQL datasource: result-size limits', () => {
  const MiB = 1024 * 1024;

  it('stops reading at maxResultBytes, with bounded memory, and kills the statement', async () => {
    const t = await table('n INT PRIMARY KEY, active CHAR(1), doc LONGTEXT');
    for (let n = 1; n <= 30; n++) {
      await admin.query(
        `INSERT INTO ${admin.escapeId(t)} VALUES (${n}, '1', REPEAT(CHAR(65 + ${n % 26}), ${5 * MiB}))`,
      );
    }
    const ds = await datasource(t, {
      mappings: { uid: 'n', activate: 'active' },
      extra: { doc: 'doc' },
      limits: { maxResultBytes: 12 * MiB },
    });
    const baseline = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(
        peak,
        now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers,
      );
    }, 5);
    const err = await failure(fetch(ds)).finally(() => clearInterval(sampler));
    expect(err.code).toBe('RESULT_TOO_LARGE');
    expect(err.retryable).toBe(false);
    // All 30 rows are 150 MiB of text; reading them whole peaked above 260 MiB.
    expect(peak).toBeLessThan(100 * MiB);
    expect(err.message).toContain(`${database}.${t}`);
    expect(err.message).toContain('maxResultBytes');
    await waitFor('the statement to end', async () => (await statements()).length === 0, {
      timeoutMs: 3000,
      intervalMs: 100,
    });
  }, 60_000);

  it('stops at maxRows', async () => {
    const ds = await datasource(base, { limits: { maxRows: 3 } });
    const err = await failure(fetch(ds));
    expect(err.code).toBe('RESULT_TOO_LARGE');
    expect(err.message).toContain('maxRows');
  });
});
