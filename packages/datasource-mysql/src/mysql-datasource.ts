import type { MySqlSource } from '@lynq/api';
import {
  abortable,
  constructDatasource,
  DatasourceError,
  FetchRunner,
  formatEndpoint,
  HealthTracker,
  hubKey,
  isDatasourceError,
  planColumns,
  resolveLimits,
  resolveSecretOrFail,
  RowCollector,
  unknownColumnError,
  type ColumnPlan,
  type Datasource,
  type DatasourceContext,
  type DatasourceDescription,
  type FetchResult,
} from '@lynq/datasource';
import mysql from 'mysql2/promise';
import { mysqlError, type MysqlErrorContext } from './mysql-errors.js';
import { buildMysqlSelect, mysqlTableRef, type MysqlTableRef } from './sql.js';
import { mysqlSslOptions, mysqlTlsStream } from './tls-options.js';
import { columnConverters, MYSQL_RESULT_OPTIONS, type ColumnMeta } from './column-converters.js';

/** Limits used when the operator passes none. */
export const MYSQL_DEFAULT_LIMITS = {
  poolSize: 5,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 30_000,
};

/** Idle pooled connections are closed after this long, so a quiet hub holds no sessions. */
const IDLE_TIMEOUT_MS = 60_000;

const sameColumn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

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
  private readonly limits: typeof MYSQL_DEFAULT_LIMITS;
  private readonly errors: MysqlErrorContext;
  private readonly health = new HealthTracker();
  private readonly fetches: FetchRunner;
  private pool: Promise<mysql.Pool> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly context: DatasourceContext) {
    this.hub = hubKey(context);
    const source = context.source.mysql;
    if (source === undefined) {
      throw new DatasourceError({
        code: 'INVALID_CONFIG',
        message: 'spec.source.mysql is required when spec.source.type is mysql',
        fields: ['spec.source.mysql'],
        hub: this.hub,
        type: 'mysql',
      });
    }
    this.source = source;
    this.limits = resolveLimits(MYSQL_DEFAULT_LIMITS, context.limits, {
      hub: this.hub,
      type: 'mysql',
    });
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
      hub: this.hub,
      type: 'mysql',
      server: 'MySQL',
      health: this.health,
      toError: (err) => mysqlError(err, this.errors),
      dropConnections: () => this.dropPool(),
    });
  }

  fetchRows(signal: AbortSignal): Promise<FetchResult> {
    return this.fetches.run(signal, (s) => this.query(s));
  }

  private async query(signal: AbortSignal): Promise<FetchResult> {
    const init = { hub: this.hub, type: 'mysql' };
    const pool = await abortable(this.openPool(), signal, () => undefined, init);
    const acquiring = pool.getConnection();
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
    let raw: unknown;
    let fields: unknown;
    try {
      [raw, fields] = await abortable(
        conn.query({ sql: this.sql, rowsAsArray: true, timeout: this.limits.queryTimeoutMs }),
        signal,
        () => conn.destroy(),
        init,
      );
    } catch (err) {
      // After an error the session may be mid-result or killed; never hand it back to the pool.
      conn.destroy();
      if (isDatasourceError(err)) throw err;
      const error = mysqlError(err, this.errors);
      if (error.code === 'UNKNOWN_COLUMN') throw await this.explainUnknownColumn(pool, error);
      throw error;
    }
    conn.release();
    return this.collect(raw, fields);
  }

  private collect(raw: unknown, fields: unknown): FetchResult {
    if (!Array.isArray(raw) || !Array.isArray(fields)) {
      throw new DatasourceError({
        code: 'QUERY_FAILED',
        message: `reading ${this.errors.table} returned no result set`,
        hub: this.hub,
        type: 'mysql',
      });
    }
    const convert = columnConverters(fields as ColumnMeta[]);
    const width = convert.length;
    const collector = new RowCollector(this.plan);
    for (const row of raw as unknown[][]) {
      for (let i = 0; i < width; i++) row[i] = convert[i]!(row[i]);
      collector.add(row as (string | null)[]);
    }
    return collector.finish();
  }

  /** Replaces the server's "Unknown column" with every missing column and its mapping. */
  private async explainUnknownColumn(
    pool: mysql.Pool,
    coarse: DatasourceError,
  ): Promise<DatasourceError> {
    let rows: unknown;
    try {
      [rows] = await pool.query({
        sql: 'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        values: [this.ref.database, this.ref.table],
        rowsAsArray: true,
        timeout: this.limits.queryTimeoutMs,
      });
    } catch {
      return coarse; // the first error is the one that matters; this was only for a better message
    }
    const existing = (rows as string[][]).map((r) => r[0] ?? '');
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

  private openPool(): Promise<mysql.Pool> {
    this.pool ??= this.createPool().catch((err: unknown) => {
      this.pool = undefined;
      throw err;
    });
    return this.pool;
  }

  private async createPool(): Promise<mysql.Pool> {
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
    return mysql.createPool({
      host: source.host,
      port: source.port,
      user: source.username,
      password,
      database: this.ref.database,
      ssl,
      stream: mysqlTlsStream(source.host, source.port, ssl),
      connectionLimit: limits.poolSize,
      maxIdle: limits.poolSize,
      idleTimeout: IDLE_TIMEOUT_MS,
      connectTimeout: limits.connectTimeoutMs,
      enableKeepAlive: true,
      charset: 'UTF8MB4_UNICODE_CI',
      multipleStatements: false,
      ...MYSQL_RESULT_OPTIONS,
    });
  }

  private dropPool(): void {
    const pool = this.pool;
    this.pool = undefined;
    // Ending a pool we no longer use can only fail with connections that are already gone.
    void pool?.then((p) => p.end()).catch(() => undefined);
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
      const pool = this.pool;
      this.pool = undefined;
      const p = await pool?.catch(() => undefined);
      await p?.end();
    })();
    return this.closing;
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
