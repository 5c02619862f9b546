import type { HubSource, SecretKeyRef, ValueMappings } from '@lynq/api';
import type { RowProblem } from './row-collector.js';

/** Version of this contract a plugin module declares; bumped only on breaking changes. */
export const DATASOURCE_CONTRACT_VERSION = 1;

/**
 * Reads one key of a Secret in the hub's namespace. The operator implements it with the
 * Kubernetes API; tests pass a function over a map. The value must never be logged.
 */
export type SecretResolver = (ref: SecretKeyRef) => Promise<string>;

/** Limits the operator applies to every datasource it creates (from its flags, not the CRD). */
export interface DatasourceLimits {
  /** Connections kept per hub. Default 5. */
  poolSize?: number;
  /** Time allowed to open a connection, in milliseconds. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * A pooled connection unused for this long is closed, so a quiet hub holds no server
   * sessions, in milliseconds. Default 60000 (drivers that pool connections).
   */
  idleTimeoutMs?: number;
  /**
   * Time a fetch may go without progress, in milliseconds: until the first row arrives, and then
   * between two rows (reset on each row). A result that keeps streaming is never cut off;
   * a query that stalls fails with TIMEOUT and is cancelled on the server. Default 30000.
   */
  queryTimeoutMs?: number;
  /**
   * Most rows one fetch may read (every row, including those reported in `problems`). Above
   * it the fetch fails whole with RESULT_TOO_LARGE. Default 100000 (`DEFAULT_RESULT_LIMITS`).
   */
  maxRows?: number;
  /**
   * Most bytes of values one fetch may read (the UTF-8 length of every value of the mapped
   * columns). Above it the fetch fails whole with RESULT_TOO_LARGE, before the rest is read.
   * Default 64 MiB (`DEFAULT_RESULT_LIMITS`).
   */
  maxResultBytes?: number;
}

/** The connection limits every SQL driver has a default for (the driver's own numbers). */
export type ConnectionLimits = Required<
  Pick<DatasourceLimits, 'poolSize' | 'connectTimeoutMs' | 'queryTimeoutMs'>
>;

/** The result-size limits, fully resolved. */
export type ResultLimits = Required<Pick<DatasourceLimits, 'maxRows' | 'maxResultBytes'>>;

/** Defaults of the result-size limits, the same for every driver. */
export const DEFAULT_RESULT_LIMITS: Readonly<ResultLimits> = Object.freeze({
  maxRows: 100_000,
  maxResultBytes: 64 * 1024 * 1024,
});

/** Everything a datasource is created from. */
export interface DatasourceContext {
  /** The hub, for error messages and descriptions. */
  hub: { namespace: string; name: string };
  /** `spec.source` of the hub, defaults applied. */
  source: HubSource;
  /** `spec.valueMappings`. */
  valueMappings: ValueMappings;
  /** `spec.extraValueMappings` (template variable → column). */
  extraValueMappings?: Record<string, string>;
  resolveSecret: SecretResolver;
  limits?: DatasourceLimits;
}

/** One row as Lynq sees it. */
export interface Row {
  /** Value of the uid column; never empty, unique within one fetch. */
  uid: string;
  /** Value of the activate column as read ("" for NULL). */
  activate: string;
  /** Whether `activate` is in the truthy set (`isActive`). */
  active: boolean;
  /** Value of the deprecated hostOrUrl column, present only when it is mapped. */
  hostOrUrl?: string;
  /**
   * One entry per `extraValueMappings` variable, "" for NULL. Built without a prototype, so a
   * variable named `__proto__` is an ordinary entry.
   */
  extras: Record<string, string>;
}

/** Result of one fetch. */
export interface FetchResult {
  /** Rows with a usable, unique uid, in the order the source returned them. */
  rows: Row[];
  /**
   * Rows left out of `rows` and why (empty or duplicate uid). The caller reports them and must
   * not treat a duplicated uid as deleted: it keeps that uid's existing nodes as they are.
   */
  problems: RowProblem[];
  /** Rows read from the source, including the ones in `problems`. */
  totalRows: number;
}

/** What woke a watcher. */
export interface ChangeEvent {
  /**
   * `change`: the source reported a change. `resync`: changes may have been missed (for example
   * the listener reconnected), so the caller should fetch again.
   */
  kind: 'change' | 'resync';
  /** INSERT, UPDATE, DELETE, TRUNCATE when the source says which. */
  operation?: string;
}

export type ChangeListener = (event: ChangeEvent) => void;
export type Unsubscribe = () => void;

/** Health of a datasource, for the hub's status. */
export interface DatasourceHealth {
  /** `unknown` until the first fetch finishes. */
  state: 'unknown' | 'ok' | 'failing';
  /** ISO time of the last successful fetch. */
  lastSuccessAt?: string;
  /** The last error, when the last fetch failed. */
  lastError?: { code: string; message: string; at: string };
  consecutiveFailures: number;
  /** State of change notifications, when the datasource supports `watch`. */
  watch?: 'idle' | 'listening' | 'reconnecting' | 'stopped';
  /**
   * Why change notifications are not flowing, while `watch` is `reconnecting`: the last error of
   * the watch connection (a DatasourceError code and message, no secrets) and how many attempts
   * in a row failed. Cleared once the watch listens again.
   */
  watchError?: { code: string; message: string; at: string; consecutiveFailures: number };
}

/** A secret-free description for status, events and logs. */
export interface DatasourceDescription {
  type: string;
  /** Where the rows come from, e.g. `mysql://lynq@db:3306/app/tenants` (never a password). */
  target: string;
  /** Whether `watch` is available. */
  watchable: boolean;
  health: DatasourceHealth;
}

/**
 * A source of rows for one hub. The operator creates it when the hub's source changes, keeps it
 * across syncs (so drivers can pool connections) and closes it when the hub goes away.
 */
export interface Datasource {
  /**
   * Reads every row once. Rejects with a DatasourceError; with code `ABORTED` soon after `signal`
   * fires. Never returns a partial result.
   */
  fetchRows(signal: AbortSignal): Promise<FetchResult>;
  /**
   * Optional change notifications. The listener is a hint to fetch again soon; the periodic sync
   * still runs. Returns a function that stops this listener.
   */
  watch?(onChange: ChangeListener): Unsubscribe;
  describe(): DatasourceDescription;
  /** Releases connections and watchers. Safe to call more than once; later fetches reject CLOSED. */
  close(): Promise<void>;
}

/**
 * What a plugin package exports (as its default export or as a named export `datasourcePlugin`).
 */
export interface DatasourcePlugin {
  contractVersion: typeof DATASOURCE_CONTRACT_VERSION;
  /** The `spec.source.type` it serves, e.g. `redis`. */
  type: string;
  /** Creates a datasource; rejects with INVALID_CONFIG when the hub's source is unusable. */
  create(context: DatasourceContext): Promise<Datasource>;
}
