// Fetches 100,000 rows × 6 columns through the MySQL and PostgreSQL datasources and prints
// time, rows/s and peak heap. Tables are created under unique names and dropped afterwards.
import { availableParallelism, loadavg } from 'node:os';
import type { Datasource, DatasourceContext } from '@lynq/datasource';
import { createMysqlDatasource } from '@lynq/datasource-mysql';
import { createPgDatasource } from '@lynq/datasource-postgres';
import { createMysqlTable, createPgSchema, mysqlUrl, pgUrl } from '@lynq/testkit';
import mysql from 'mysql2/promise';
import pg from 'pg';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET_MS = 1500;

const mappings = {
  valueMappings: { uid: 'id', activate: 'active' },
  extraValueMappings: { plan: 'plan', region: 'region', owner: 'owner', created: 'created' },
};

interface Figures {
  database: string;
  bestMs: number;
  medianMs: number;
  rowsPerSecond: number;
  peakHeapMiB: number;
  heapGrowthMiB: number;
  /** Heap still used by the result after a full GC (what an operator holds per hub). */
  retainedMiB: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => bytes / 1024 / 1024;

async function measure(database: string, ds: Datasource): Promise<Figures> {
  const warm = await ds.fetchRows(new AbortController().signal);
  if (warm.rows.length !== ROWS)
    throw new Error(`${database}: got ${warm.rows.length} rows, want ${ROWS}`);
  const times: number[] = [];
  let peak = 0;
  let baseline = Infinity;
  let retained = 0;
  for (let run = 0; run < RUNS; run++) {
    gc?.();
    baseline = Math.min(baseline, process.memoryUsage().heapUsed);
    let runPeak = 0;
    const sample = () => (runPeak = Math.max(runPeak, process.memoryUsage().heapUsed));
    const sampler = setInterval(sample, 2);
    const started = performance.now();
    const result = await ds.fetchRows(new AbortController().signal);
    const elapsed = performance.now() - started;
    sample(); // the full result is still referenced here
    clearInterval(sampler);
    if (result.rows.length !== ROWS) throw new Error(`${database}: short result`);
    if (gc !== undefined) {
      const before = process.memoryUsage().heapUsed;
      gc();
      const after = process.memoryUsage().heapUsed;
      retained = Math.max(retained, after - Math.min(baseline, before));
      if (result.totalRows !== ROWS) throw new Error('unreachable'); // keeps the result alive until here
    }
    times.push(elapsed);
    peak = Math.max(peak, runPeak);
  }
  times.sort((a, b) => a - b);
  const best = times[0]!;
  return {
    database,
    bestMs: best,
    medianMs: times[Math.floor(times.length / 2)]!,
    rowsPerSecond: ROWS / (best / 1000),
    peakHeapMiB: mib(peak),
    heapGrowthMiB: mib(peak - baseline),
    retainedMiB: mib(retained),
  };
}

function context(source: DatasourceContext['source']): DatasourceContext {
  return {
    hub: { namespace: 'bench', name: 'bench' },
    source,
    ...mappings,
    resolveSecret: () => Promise.reject(new Error('the bench uses no secrets')),
  };
}

async function benchMysql(): Promise<Figures> {
  const table = await createMysqlTable(
    'id VARCHAR(32) PRIMARY KEY, active CHAR(1), plan VARCHAR(32), region VARCHAR(32), owner VARCHAR(64), created DATETIME',
    { prefix: 'lynq_bench' },
  );
  const url = new URL(mysqlUrl());
  const conn = await mysql.createConnection(mysqlUrl());
  try {
    for (let start = 0; start < ROWS; start += 2000) {
      const batch = [];
      for (let i = start; i < Math.min(ROWS, start + 2000); i++) {
        batch.push([
          `tenant-${i}`,
          i % 4 === 0 ? '0' : '1',
          `plan-${i % 7}`,
          `region-${i % 5}`,
          `owner-${i}@example.com`,
          '2024-05-01 13:45:00',
        ]);
      }
      await conn.query(`INSERT INTO \`${table.table}\` VALUES ?`, [batch]);
    }
    const ds = await createMysqlDatasource(
      context({
        type: 'mysql',
        syncInterval: '30s',
        mysql: {
          host: url.hostname,
          port: Number(url.port || 3306),
          username: decodeURIComponent(url.username || 'root'),
          database: url.pathname.slice(1) || 'test',
          table: table.table,
        },
      }),
    );
    try {
      return await measure('MariaDB/MySQL', ds);
    } finally {
      await ds.close();
    }
  } finally {
    await conn.end();
    await table.drop();
  }
}

async function benchPostgres(): Promise<Figures> {
  const schema = await createPgSchema({ prefix: 'lynq_bench' });
  const url = new URL(pgUrl());
  const client = new pg.Client({ connectionString: pgUrl() });
  await client.connect();
  try {
    const t = `"${schema.schema}".tenants`;
    await client.query(
      `CREATE TABLE ${t} (id text PRIMARY KEY, active text, plan text, region text, owner text, created timestamp)`,
    );
    await client.query(
      `INSERT INTO ${t} SELECT 'tenant-' || i, CASE WHEN i % 4 = 0 THEN '0' ELSE '1' END, 'plan-' || (i % 7),
         'region-' || (i % 5), 'owner-' || i || '@example.com', timestamp '2024-05-01 13:45:00'
         FROM generate_series(0, $1::int - 1) i`,
      [ROWS],
    );
    const ds = await createPgDatasource(
      context({
        type: 'postgresql',
        syncInterval: '30s',
        postgresql: {
          host: url.hostname,
          port: Number(url.port || 5432),
          username: decodeURIComponent(url.username || 'postgres'),
          database: url.pathname.slice(1) || 'test',
          schema: schema.schema,
          table: 'tenants',
        },
      }),
    );
    try {
      return await measure('PostgreSQL', ds);
    } finally {
      await ds.close();
    }
  } finally {
    await client.end();
    await schema.drop();
  }
}

const results = [await benchMysql(), await benchPostgres()];
console.log(
  `datasource fetch: ${ROWS.toLocaleString('en')} rows × 6 columns, best of ${RUNS} runs; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs${gc ? '' : ' (run with --expose-gc for heap figures)'}`,
);
for (const r of results) {
  const verdict = r.bestMs < TARGET_MS ? 'ok' : `SLOWER than the ${TARGET_MS} ms target`;
  console.log(
    `  ${r.database.padEnd(14)} best ${r.bestMs.toFixed(0).padStart(5)} ms  median ${r.medianMs.toFixed(0).padStart(5)} ms  ` +
      `${Math.round(r.rowsPerSecond).toLocaleString('en').padStart(9)} rows/s  peak heap ${r.peakHeapMiB.toFixed(1)} MiB ` +
      `(+${r.heapGrowthMiB.toFixed(1)} MiB during the fetch, ${r.retainedMiB.toFixed(1)} MiB retained by the result)  ${verdict}`,
  );
}
// A figure over target is printed, not failed: on a shared machine the load decides too much.
