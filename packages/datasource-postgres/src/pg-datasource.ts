import type { PostgresSource } from '@lynq/api';
import {
  abortable,
  checkSourceSection,
  constructDatasource,
  DatasourceError,
  FetchRunner,
  formatEndpoint,
  HealthTracker,
  hubKey,
  InactivityTimer,
  InvalidUtf8,
  isDatasourceError,
  planColumns,
  queryTimeoutError,
  resolveLimits,
  resolveSecretOrFail,
  RowCollector,
  unknownColumnError,
  type ChangeListener,
  type ColumnPlan,
  type ConnectionLimits,
  type Datasource,
  type DatasourceContext,
  type DatasourceDescription,
  type FetchResult,
  type ResultLimits,
  type RowValue,
  type Unsubscribe,
} from '@lynq/datasource';
import pg from 'pg';
import { notifyChannel } from './change-trigger.js';
import { NotifyListener } from './notify-listener.js';
import { pgError, type PgErrorContext } from './pg-errors.js';
import { buildPgSelect } from './sql.js';
import { pgSslOptions } from './tls-options.js';
import { lynqPgTypes } from './type-parsers.js';

/**
 * Connection limits used when the operator passes none (the result-size limits default to
 * DEFAULT_RESULT_LIMITS).
 */
export const PG_DEFAULT_LIMITS = { poolSize: 5, connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 };

/** Idle pooled connections are closed after this long, so a quiet hub holds no sessions. */
const IDLE_TIMEOUT_MS = 60_000;

/** Where the fields of `spec.source.postgresql` are checked, and the CRD's defaults. */
const SOURCE_PATH = 'spec.source.postgresql';
const SOURCE_RULES = {
  host: 'name',
  port: 'port',
  username: 'name',
  passwordRef: 'optional-secret-ref',
  database: 'name',
  schema: 'name',
  table: 'name',
  tls: 'optional-tls',
} as const;
const SOURCE_DEFAULTS = { port: 5432, schema: 'public' };

/**
 * Creates the datasource for a hub with `spec.source.type: postgresql`. Validates the source and
 * every identifier now; connects on the first fetch or watch.
 */
export function createPgDatasource(context: DatasourceContext): Promise<Datasource> {
  return constructDatasource(() => new PgDatasource(context));
}

class PgDatasource implements Datasource {
  private readonly source: PostgresSource;
  private readonly hub: string;
  private readonly plan: ColumnPlan;
  private readonly sql: string;
  private readonly channel: string;
  /** The same statement with the uid's stored bytes appended (SQL_ASCII databases). */
  private readonly sqlWithUidBytes: string;
  private readonly limits: ConnectionLimits & ResultLimits;
  private readonly errors: PgErrorContext;
  private readonly health = new HealthTracker();
  private readonly fetches: FetchRunner;
  private readonly watchers = new Set<ChangeListener>();
  private listener: NotifyListener | undefined;
  private pool: Promise<pg.Pool> | undefined;
  /** The database's server_encoding, read once per pool. */
  private encoding: Promise<string> | undefined;
  /** Pooled sessions already switched to client_encoding SQL_ASCII. */
  private readonly rawSessions = new WeakSet<pg.PoolClient>();
  private closing: Promise<void> | undefined;

  constructor(private readonly context: DatasourceContext) {
    this.hub = hubKey(context);
    if (context.source.postgresql === undefined) {
      throw this.invalid('spec.source.postgresql is required when spec.source.type is postgresql', [
        'spec.source.postgresql',
      ]);
    }
    // Checked here whatever the caller validated: a source without a database would connect to
    // the server's default database and read the wrong table.
    const source = checkSourceSection<PostgresSource>(
      context.source.postgresql,
      SOURCE_PATH,
      SOURCE_RULES,
      SOURCE_DEFAULTS,
      { hub: this.hub, type: 'postgresql' },
    );
    this.source = source;
    this.limits = resolveLimits(PG_DEFAULT_LIMITS, context.limits, {
      hub: this.hub,
      type: 'postgresql',
    });
    this.plan = planColumns(context.valueMappings, context.extraValueMappings);
    try {
      this.sql = buildPgSelect(this.plan, source.schema, source.table);
      this.sqlWithUidBytes = buildPgSelect(this.plan, source.schema, source.table, {
        uidBytes: true,
      });
    } catch (err) {
      if (isDatasourceError(err)) throw this.invalid(err.message, err.fields);
      throw err;
    }
    this.channel = notifyChannel({ schema: source.schema, table: source.table });
    this.errors = {
      hub: this.hub,
      endpoint: formatEndpoint(source.host, source.port),
      table: `${source.schema}.${source.table}`,
      database: source.database,
      connectTimeoutMs: this.limits.connectTimeoutMs,
      queryTimeoutMs: this.limits.queryTimeoutMs,
    };
    this.fetches = new FetchRunner({
      hub: this.hub,
      type: 'postgresql',
      server: 'PostgreSQL',
      health: this.health,
      toError: (err) => pgError(err, this.errors),
      dropConnections: () => this.dropPool(),
    });
  }

  private invalid(message: string, fields: readonly string[]) {
    return new DatasourceError({
      code: 'INVALID_CONFIG',
      message,
      fields,
      hub: this.hub,
      type: 'postgresql',
    });
  }

  fetchRows(signal: AbortSignal): Promise<FetchResult> {
    return this.fetches.run(signal, (s) => this.query(s));
  }

  private async query(signal: AbortSignal): Promise<FetchResult> {
    const init = { hub: this.hub, type: 'postgresql' };
    const pool = await abortable(this.openPool(), signal, () => undefined, init);
    const acquiring = pool.connect();
    const client = await abortable(
      acquiring,
      signal,
      () =>
        void acquiring.then(
          (c) => c.release(),
          () => undefined,
        ),
      init,
    );
    // A checked-out client has no error listener; without one a dying connection would throw.
    const onError = () => undefined; // the running query reports the same failure
    client.on('error', onError);
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      client.off('error', onError);
      client.release(destroy);
    };
    // Ends the fetch's statement: releasing a client with a query in flight destroys its socket,
    // and the server is told to cancel, or a long statement would run until it next writes.
    const stop = () => {
      const pid = (client as unknown as { processID?: number }).processID;
      release(true);
      if (pid !== undefined) {
        void pool
          .query(
            timed(
              { text: 'SELECT pg_cancel_backend($1)', values: [pid] },
              this.limits.queryTimeoutMs,
            ),
          )
          .catch(() => undefined); // best effort: the session ends with its socket anyway
      }
    };
    let result: FetchResult;
    try {
      const encoding = await abortable(this.prepareSession(client), signal, stop, init);
      result = await abortable(
        this.stream(client, encoding === 'SQL_ASCII', stop),
        signal,
        stop,
        init,
      );
    } catch (err) {
      release(true);
      if (isDatasourceError(err)) throw err;
      const error = pgError(err, this.errors);
      if (error.code === 'UNKNOWN_COLUMN') throw await this.explainUnknownColumn(pool, error);
      throw error;
    }
    release(false);
    return result;
  }

  /**
   * The database's encoding, after making the session fit it. A SQL_ASCII database stores bytes
   * that need not be UTF-8, and the server refuses to send those to a UTF8 client, which would
   * fail every fetch for one bad row: such sessions read the bytes as they are (client_encoding
   * SQL_ASCII), and the select adds the uid's bytes so a uid that is not UTF-8 is reported.
   */
  private async prepareSession(client: pg.PoolClient): Promise<string> {
    const encoding = await this.serverEncoding(client);
    if (encoding === 'SQL_ASCII' && !this.rawSessions.has(client)) {
      await client.query(
        timed({ text: "SET client_encoding = 'SQL_ASCII'" }, this.limits.queryTimeoutMs),
      );
      this.rawSessions.add(client);
    }
    return encoding;
  }

  /** The database's encoding, asked once per pool (the database of a datasource is fixed). */
  private serverEncoding(client: pg.PoolClient): Promise<string> {
    this.encoding ??= client
      .query<[string]>(
        timed(
          { text: 'SHOW server_encoding', rowMode: 'array' } satisfies pg.QueryArrayConfig,
          this.limits.queryTimeoutMs,
        ),
      )
      .then(
        (res) => String(res.rows[0]?.[0] ?? ''),
        (err: unknown) => {
          this.encoding = undefined;
          throw err;
        },
      );
    return this.encoding;
  }

  /**
   * Runs the select and feeds each row to a RowCollector as it arrives, so the result-size
   * limits hold while the rows stream in and memory stays bounded. Fails with TIMEOUT when no row
   * arrives for queryTimeoutMs, and with RESULT_TOO_LARGE over a limit; both `stop` the
   * statement. Never resolves with part of the rows.
   */
  private stream(client: pg.PoolClient, uidBytes: boolean, stop: () => void): Promise<FetchResult> {
    const plan = this.plan;
    const collector = new RowCollector(plan, {
      limits: this.limits,
      hub: this.hub,
      type: 'postgresql',
      source: this.errors.table,
    });
    const width = plan.columns.length;
    return new Promise<FetchResult>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        timer.stop();
        return true;
      };
      const fail = (err: unknown, stopStatement: boolean) => {
        if (!settle()) return;
        if (stopStatement) stop();
        reject(err as Error);
      };
      const timer = new InactivityTimer(this.limits.queryTimeoutMs, () =>
        fail(
          queryTimeoutError({
            hub: this.hub,
            type: 'postgresql',
            table: this.errors.table,
            queryTimeoutMs: this.limits.queryTimeoutMs,
          }),
          true,
        ),
      );
      const config: pg.QueryArrayConfig = {
        text: uidBytes ? this.sqlWithUidBytes : this.sql,
        rowMode: 'array',
      };
      const query = new pg.Query<RowValue[]>(config);
      query.on('row', (row: RowValue[]) => {
        if (settled) return; // rows already in the socket after a failure
        timer.touch();
        if (uidBytes && row[width] instanceof InvalidUtf8) row[plan.uidIndex] = row[width];
        try {
          collector.add(row);
        } catch (err) {
          fail(err, true);
        }
      });
      query.on('error', (err) => fail(err, false));
      query.on('end', () => {
        if (settle()) resolve(collector.finish());
      });
      client.query(query);
    });
  }

  /** Replaces the server's message with every missing column and the mapping that names it. */
  private async explainUnknownColumn(
    pool: pg.Pool,
    coarse: DatasourceError,
  ): Promise<DatasourceError> {
    let names: string[];
    try {
      const res = await pool.query<[string]>(
        timed(
          {
            text: 'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
            values: [this.source.schema, this.source.table],
            rowMode: 'array',
          } satisfies pg.QueryArrayConfig,
          this.limits.queryTimeoutMs,
        ),
      );
      names = res.rows.map((r) => r[0]);
    } catch {
      return coarse; // the first error is the one that matters; this was only for a better message
    }
    const missing = this.plan.columns.filter((c) => !names.includes(c));
    if (missing.length === 0) return coarse;
    return unknownColumnError(this.plan, missing, this.errors.table, {
      hub: this.hub,
      type: 'postgresql',
      driverCode: coarse.driverCode,
      cause: coarse.cause,
    });
  }

  /** Connection settings shared by the pool and the LISTEN connection. */
  private async clientConfig(): Promise<pg.ClientConfig> {
    const { source, context, limits } = this;
    const password =
      source.passwordRef === undefined
        ? undefined
        : await resolveSecretOrFail(
            context.resolveSecret,
            source.passwordRef,
            'spec.source.postgresql.passwordRef',
          );
    return {
      host: source.host,
      port: source.port,
      user: source.username,
      password,
      database: source.database,
      ssl: await pgSslOptions(source.tls, context.resolveSecret),
      connectionTimeoutMillis: limits.connectTimeoutMs,
      // No statement_timeout: queryTimeoutMs is time without rows, which the fetch measures
      // itself; a server-side deadline would cut off a large result that streams fine.
      application_name: 'lynq',
      options: '-c TimeZone=UTC',
      keepAlive: true,
      types: lynqPgTypes,
    };
  }

  private openPool(): Promise<pg.Pool> {
    this.pool ??= this.clientConfig().then(
      (config) => {
        const pool = new pg.Pool({
          ...config,
          max: this.limits.poolSize,
          idleTimeoutMillis: IDLE_TIMEOUT_MS,
        });
        // An idle connection that dies (server restart, terminated session) is dropped by the
        // pool and replaced on the next fetch; that fetch reports any lasting problem.
        pool.on('error', () => undefined);
        return pool;
      },
      (err: unknown) => {
        this.pool = undefined;
        throw err;
      },
    );
    return this.pool;
  }

  private dropPool(): void {
    const pool = this.pool;
    this.pool = undefined;
    this.encoding = undefined;
    // Ending a pool we no longer use can only fail with connections that are already gone.
    void pool?.then((p) => p.end()).catch(() => undefined);
  }

  /**
   * Calls `onChange` after every INSERT, UPDATE, DELETE or TRUNCATE on the hub's table (once the
   * change trigger is installed, see installChangeTrigger) and with `resync` after the listening
   * connection (re)connects. One LISTEN connection serves all watchers of this datasource.
   */
  watch(onChange: ChangeListener): Unsubscribe {
    if (this.closing !== undefined) return () => undefined;
    this.watchers.add(onChange);
    if (this.listener === undefined) {
      this.listener = new NotifyListener({
        channel: this.channel,
        connect: async () => {
          const client = new pg.Client(await this.clientConfig());
          client.on('error', () => undefined); // replaced by the listener's own handler below
          try {
            await client.connect();
          } catch (err) {
            await client.end().catch(() => undefined);
            throw err;
          }
          return client;
        },
        onEvent: (event) => {
          for (const watcher of [...this.watchers]) watcher(event);
        },
        onState: (state) => this.health.setWatch(state),
        // Secret-free: a DatasourceError message, e.g. CONNECT_FAILED naming host and port.
        onError: (err) =>
          this.health.watchFailed(isDatasourceError(err) ? err : pgError(err, this.errors)),
      });
      this.listener.start();
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.watchers.delete(onChange);
      if (this.watchers.size === 0) void this.stopListener();
    };
  }

  private async stopListener(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
  }

  describe(): DatasourceDescription {
    const { source } = this;
    return {
      type: 'postgresql',
      target: `postgresql://${encodeURIComponent(source.username)}@${this.errors.endpoint}/${source.database}/${source.schema}.${source.table}?tls=${source.tls?.mode ?? 'disable'}`,
      watchable: true,
      health: this.health.snapshot(),
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.fetches.close();
      this.watchers.clear();
      await this.stopListener();
      const pool = this.pool;
      this.pool = undefined;
      const p = await pool?.catch(() => undefined);
      await p?.end();
    })();
    return this.closing;
  }
}

/**
 * A query with pg's client-side deadline (`query_timeout`), which pg honours per query although
 * its types leave the option out. Only for the small queries around a fetch.
 */
function timed<C extends pg.QueryConfig | pg.QueryArrayConfig>(config: C, ms: number): C {
  return Object.assign(config, { query_timeout: ms });
}
