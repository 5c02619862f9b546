import type { PostgresSource } from '@lynq/api';
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
  type ChangeListener,
  type ColumnPlan,
  type Datasource,
  type DatasourceContext,
  type DatasourceDescription,
  type FetchResult,
  type Unsubscribe,
} from '@lynq/datasource';
import pg from 'pg';
import { notifyChannel } from './change-trigger.js';
import { NotifyListener } from './notify-listener.js';
import { pgError, type PgErrorContext } from './pg-errors.js';
import { buildPgSelect } from './sql.js';
import { pgSslOptions } from './tls-options.js';
import { lynqPgTypes } from './type-parsers.js';

/** Limits used when the operator passes none. */
export const PG_DEFAULT_LIMITS = { poolSize: 5, connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 };

/** Idle pooled connections are closed after this long, so a quiet hub holds no sessions. */
const IDLE_TIMEOUT_MS = 60_000;

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
  private readonly limits: typeof PG_DEFAULT_LIMITS;
  private readonly errors: PgErrorContext;
  private readonly health = new HealthTracker();
  private readonly fetches: FetchRunner;
  private readonly watchers = new Set<ChangeListener>();
  private listener: NotifyListener | undefined;
  private pool: Promise<pg.Pool> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly context: DatasourceContext) {
    this.hub = hubKey(context);
    const source = context.source.postgresql;
    if (source === undefined) {
      throw this.invalid('spec.source.postgresql is required when spec.source.type is postgresql', [
        'spec.source.postgresql',
      ]);
    }
    this.source = source;
    this.limits = resolveLimits(PG_DEFAULT_LIMITS, context.limits, {
      hub: this.hub,
      type: 'postgresql',
    });
    this.plan = planColumns(context.valueMappings, context.extraValueMappings);
    try {
      this.sql = buildPgSelect(this.plan, source.schema, source.table);
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
    let result: pg.QueryArrayResult<(string | null)[]>;
    try {
      result = await abortable(
        client.query<(string | null)[]>({ text: this.sql, rowMode: 'array' }),
        signal,
        () => {
          const pid = (client as unknown as { processID?: number }).processID;
          release(true);
          // Closing the socket alone leaves a long statement running until it next writes.
          if (pid !== undefined) {
            void pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
          }
        },
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
    const collector = new RowCollector(this.plan);
    for (const row of result.rows) collector.add(row);
    return collector.finish();
  }

  /** Replaces the server's message with every missing column and the mapping that names it. */
  private async explainUnknownColumn(
    pool: pg.Pool,
    coarse: DatasourceError,
  ): Promise<DatasourceError> {
    let names: string[];
    try {
      const res = await pool.query<[string]>({
        text: 'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        values: [this.source.schema, this.source.table],
        rowMode: 'array',
      });
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
      statement_timeout: limits.queryTimeoutMs,
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
