import type { MySqlSource } from '@lynq/api';
import {
  abortable,
  abortedError,
  checkSourceSection,
  constructDatasource,
  DatasourceError,
  FetchRunner,
  formatEndpoint,
  HealthTracker,
  hubKey,
  isDatasourceError,
  planColumns,
  queryTimeoutError,
  resolveLimits,
  resolveSecretOrFail,
  RowCollector,
  unknownColumnError,
  type ColumnPlan,
  type Datasource,
  type DatasourceContext,
  type DatasourceDescription,
  type FetchResult,
  type RowValue,
} from '@lynq/datasource';
import mysql, { type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import { mysqlError, type MysqlErrorContext } from './mysql-errors.js';
import { buildMysqlSelect, mysqlTableRef, type MysqlTableRef } from './sql.js';
import { mysqlSslOptions, mysqlTlsStream } from './tls-options.js';
import { columnConverters, MYSQL_RESULT_OPTIONS, type Converter } from './column-converters.js';
import { closeIdleConnections } from './idle-connections.js';
import { killQuery } from './kill-query.js';
import { streamSelect, type StreamedSelect } from './streamed-select.js';

/** Limits used when the operator passes none (result-size limits: DEFAULT_RESULT_LIMITS). */
export const MYSQL_DEFAULT_LIMITS = {
  poolSize: 5,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
};

/** How long a killed statement may take to end before its connection is closed regardless. */
const KILL_WAIT_MS = 5_000;

const sameColumn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The fields of spec.source.mysql the driver cannot work without, and what each must be. */
const SOURCE_RULES = {
  host: 'name',
  port: 'port',
  username: 'name',
  database: 'name',
  table: 'name',
} as const;

/** A pool and the options it was built with (also used for the connection that kills). */
interface OpenPool {
  pool: Pool;
  options: PoolOptions;
}

/**
 * Creates the datasource for a hub with `spec.source.type: mysql`. Validates the source and every
 * identifier now; connects on the first fetch.
 */
export function createMysqlDatasource(context: DatasourceContext): Promise<Datasource> {
  return constructDatasource(() => new MysqlDatasource(context));
}

class MysqlDatasource implements Datasource {
  private readonly source: MySqlSource;
  private readonly hub: string;
  private readonly plan: ColumnPlan;
  private readonly ref: MysqlTableRef;
  private readonly sql: string;
  private readonly limits: ReturnType<typeof resolveLimits<typeof MYSQL_DEFAULT_LIMITS>>;
  private readonly errors: MysqlErrorContext;
  private readonly health = new HealthTracker();
  private readonly fetches: FetchRunner;
  /** Fetches in flight, so close() can wait until each has handed its connection back. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Connections whose statement is being killed; they still count against poolSize. */
  private readonly discarding = new Set<Promise<void>>();
  private pool: Promise<OpenPool> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly context: DatasourceContext) {
    this.hub = hubKey(context);
    const init = { hub: this.hub, type: 'mysql' };
    if (context.source.mysql === undefined) {
      throw new DatasourceError({
        code: 'INVALID_CONFIG',
        message: 'spec.source.mysql is required when spec.source.type is mysql',
        fields: ['spec.source.mysql'],
        ...init,
      });
    }
    // The driver checks what it relies on itself, whatever its caller validated before.
    const source = checkSourceSection<MySqlSource>(
      context.source.mysql,
      'spec.source.mysql',
      SOURCE_RULES,
      { port: 3306 },
      init,
    );
    this.source = source;
    this.limits = resolveLimits(MYSQL_DEFAULT_LIMITS, context.limits, init);
    this.plan = planColumns(context.valueMappings, context.extraValueMappings);
    this.ref = mysqlTableRef(source.database, source.table);
    this.sql = withHub(
      () => buildMysqlSelect(this.plan, this.ref, 'spec.source.mysql.table'),
      this.hub,
    );
    this.errors = {
      hub: this.hub,
      endpoint: formatEndpoint(source.host, source.port),
      table: `${this.ref.database}.${this.ref.table}`,
      database: this.ref.database,
      connectTimeoutMs: this.limits.connectTimeoutMs,
      queryTimeoutMs: this.limits.queryTimeoutMs,
      plaintext: (source.tls?.mode ?? 'disable') === 'disable',
    };
    this.fetches = new FetchRunner({
      ...init,
      server: 'MySQL',
      health: this.health,
      toError: (err) => mysqlError(err, this.errors),
      dropConnections: () => this.dropPool(),
    });
  }

  fetchRows(signal: AbortSignal): Promise<FetchResult> {
    const fetch = this.fetches.run(signal, (s) => this.query(s));
    this.inFlight.add(fetch);
    const forget = () => this.inFlight.delete(fetch);
    fetch.then(forget, forget);
    return fetch;
  }

  private async query(signal: AbortSignal): Promise<FetchResult> {
    const init = { hub: this.hub, type: 'mysql' };
    const { pool, options } = await abortable(this.openPool(), signal, () => undefined, init);
    const acquiring = getConnection(pool);
    const conn = await abortable(
      acquiring,
      signal,
      () =>
        void acquiring.then(
          (c) => c.release(),
          () => undefined,
        ),
      init,
    );
    const collector = new RowCollector(this.plan, {
      limits: { maxRows: this.limits.maxRows, maxResultBytes: this.limits.maxResultBytes },
      ...init,
      source: this.errors.table,
    });
    let convert: Converter[] | undefined;
    const select = streamSelect(conn, this.sql, this.limits.queryTimeoutMs, {
      onFields: (fields) => (convert = columnConverters(fields)),
      onRow: (row) => {
        for (let i = 0; i < row.length; i++) row[i] = convert![i]!(row[i]);
        collector.add(row as RowValue[]);
      },
      timeoutError: () =>
        queryTimeoutError({
          ...init,
          table: this.errors.table,
          queryTimeoutMs: this.limits.queryTimeoutMs,
        }),
    });
    const abort = () => select.stop(abortedError(signal, init));
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) abort();
    try {
      await select.done;
    } catch (err) {
      // The session may be mid-result or running the statement; never hand it back to the pool.
      this.discard(conn, select, options);
      if (isDatasourceError(err)) throw err;
      const error = mysqlError(err, this.errors);
      if (error.code === 'UNKNOWN_COLUMN') throw await this.explainUnknownColumn(pool, error);
      throw error;
    } finally {
      signal.removeEventListener('abort', abort);
    }
    conn.release();
    if (convert === undefined) {
      throw new DatasourceError({
        code: 'QUERY_FAILED',
        message: `reading ${this.errors.table} returned no result set`,
        ...init,
      });
    }
    return collector.finish();
  }

  /**
   * Ends a connection whose fetch failed. A statement the server may still be running is killed
   * first (KILL QUERY from a connection of its own), and the connection stays checked out until
   * the statement has ended, so abandoned statements never add up beyond poolSize.
   */
  private discard(conn: PoolConnection, select: StreamedSelect, options: PoolOptions): void {
    if (!select.running) {
      conn.destroy();
      return;
    }
    const ended = killQuery(options, conn.threadId)
      .then(
        () => within(select.finished, KILL_WAIT_MS),
        // The fetch has already failed with its own error. Without the kill, the server ends
        // the statement when it next writes to the connection closed below.
        () => undefined,
      )
      .finally(() => conn.destroy());
    this.discarding.add(ended);
    const forget = () => this.discarding.delete(ended);
    ended.then(forget, forget);
  }

  /** Replaces the server's "Unknown column" with every missing column and its mapping. */
  private async explainUnknownColumn(
    pool: Pool,
    coarse: DatasourceError,
  ): Promise<DatasourceError> {
    let rows: string[][];
    try {
      rows = await new Promise<string[][]>((resolve, reject) =>
        pool.query(
          {
            sql: 'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
            values: [this.ref.database, this.ref.table],
            rowsAsArray: true,
            timeout: this.limits.queryTimeoutMs,
          },
          (err, result) => (err ? reject(err) : resolve(result as unknown as string[][])),
        ),
      );
    } catch {
      return coarse; // the first error is the one that matters; this was only for a better message
    }
    const existing = rows.map((r) => r[0] ?? '');
    const missing = this.plan.columns.filter((c) => !existing.some((e) => sameColumn(e, c)));
    if (missing.length === 0) return coarse;
    return unknownColumnError(this.plan, missing, this.errors.table, {
      hub: this.hub,
      type: 'mysql',
      driverCode: coarse.driverCode,
      cause: coarse.cause,
      sameColumn,
    });
  }

  private openPool(): Promise<OpenPool> {
    this.pool ??= this.createPool().catch((err: unknown) => {
      this.pool = undefined;
      throw err;
    });
    return this.pool;
  }

  private async createPool(): Promise<OpenPool> {
    const { source, context, limits } = this;
    const password =
      source.passwordRef === undefined
        ? undefined
        : await resolveSecretOrFail(
            context.resolveSecret,
            source.passwordRef,
            'spec.source.mysql.passwordRef',
          );
    const ssl = await mysqlSslOptions(source.tls, context.resolveSecret);
    const options: PoolOptions = {
      host: source.host,
      port: source.port,
      user: source.username,
      password,
      database: this.ref.database,
      ssl,
      stream: mysqlTlsStream(source.host, source.port, ssl),
      connectionLimit: limits.poolSize,
      // Idle connections are closed by closeIdleConnections, down to none; with maxIdle at the
      // limit mysql2's own reaping stays off.
      maxIdle: limits.poolSize,
      gracefulEnd: true,
      connectTimeout: limits.connectTimeoutMs,
      enableKeepAlive: true,
      charset: 'UTF8MB4_UNICODE_CI',
      multipleStatements: false,
      ...MYSQL_RESULT_OPTIONS,
    };
    const pool = mysql.createPool(options);
    closeIdleConnections(pool, limits.idleTimeoutMs);
    return { pool, options };
  }

  private dropPool(): void {
    const pool = this.pool;
    this.pool = undefined;
    // Ending a pool we no longer use can only fail with connections that are already gone.
    void pool?.then((p) => endPool(p.pool)).catch(() => undefined);
  }

  describe(): DatasourceDescription {
    const { source } = this;
    const tls = source.tls?.mode ?? 'disable';
    return {
      type: 'mysql',
      target: `mysql://${encodeURIComponent(source.username)}@${this.errors.endpoint}/${this.ref.database}/${this.ref.table}?tls=${tls}`,
      watchable: false,
      health: this.health.snapshot(),
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.fetches.close();
      // Each aborted fetch hands its connection to discard(); wait for that, then for the kills.
      await Promise.allSettled([...this.inFlight]);
      await Promise.allSettled([...this.discarding]);
      const pool = this.pool;
      this.pool = undefined;
      const p = await pool?.catch(() => undefined);
      if (p !== undefined) await endPool(p.pool);
    })();
    return this.closing;
  }
}

function getConnection(pool: Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) =>
    pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))),
  );
}

function endPool(pool: Pool): Promise<void> {
  return new Promise((resolve, reject) => pool.end((err) => (err ? reject(err) : resolve())));
}

/** Waits for `work`, or `ms` at most. */
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `build`, stamping the hub on a DatasourceError it throws. */
function withHub<T>(build: () => T, hub: string): T {
  try {
    return build();
  } catch (err) {
    if (!isDatasourceError(err) || err.hub !== undefined) throw err;
    throw new DatasourceError({
      code: err.code,
      message: err.message,
      fields: err.fields,
      columns: err.columns,
      hub,
      type: 'mysql',
    });
  }
}
