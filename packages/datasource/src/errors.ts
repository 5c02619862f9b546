/**
 * Why a datasource operation failed. Callers switch on the code (hub condition reason, retry
 * decision) instead of parsing messages.
 */
export type DatasourceErrorCode =
  /** The hub's source or mappings are unusable (bad identifier, missing section, bad plugin config). */
  | 'INVALID_CONFIG'
  /** A Secret (password, CA) could not be read. */
  | 'SECRET_UNAVAILABLE'
  /** The server could not be reached (DNS, refused, unreachable). */
  | 'CONNECT_FAILED'
  /** The server rejected the credentials or the user may not use the database. */
  | 'AUTH_FAILED'
  /** TLS negotiation or certificate verification failed. */
  | 'TLS_FAILED'
  | 'UNKNOWN_DATABASE'
  /** The table, view or schema does not exist. */
  | 'UNKNOWN_TABLE'
  /** A mapped column does not exist; `columns` and `fields` say which and where it is mapped. */
  | 'UNKNOWN_COLUMN'
  /** Connecting or querying took longer than the configured timeout. */
  | 'TIMEOUT'
  /** The connection broke during the operation (server restart, killed session, network). */
  | 'CONNECTION_LOST'
  /** Any other error from the server or the plugin. */
  | 'QUERY_FAILED'
  /**
   * The result is over a limit (`maxRows`, `maxResultBytes`). The fetch fails whole, never with
   * part of the rows; raising the limit or shrinking the table or view is the fix.
   */
  | 'RESULT_TOO_LARGE'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** The datasource was closed. */
  | 'CLOSED'
  /** No datasource type with that name is registered or built in. */
  | 'UNKNOWN_TYPE'
  /** A plugin package could not be imported. */
  | 'PLUGIN_NOT_FOUND'
  /** A plugin package or the datasource it created does not have the contract's shape. */
  | 'PLUGIN_INVALID';

/** Codes after which retrying the same operation later can succeed without a config change. */
const RETRYABLE: ReadonlySet<DatasourceErrorCode> = new Set([
  'CONNECT_FAILED',
  'TIMEOUT',
  'CONNECTION_LOST',
  'QUERY_FAILED',
  'SECRET_UNAVAILABLE',
]);

export interface DatasourceErrorInit {
  code: DatasourceErrorCode;
  message: string;
  /** Hub the datasource belongs to, as `namespace/name`. */
  hub?: string;
  /** Datasource type (`mysql`, `postgresql`, a plugin type). */
  type?: string;
  /** Paths of the hub fields involved, e.g. `spec.extraValueMappings.planId`. */
  fields?: readonly string[];
  /** Columns involved (UNKNOWN_COLUMN). */
  columns?: readonly string[];
  /** Driver error code (`ER_NO_SUCH_TABLE`, `42P01`, ...), for logs and debugging. */
  driverCode?: string;
  cause?: unknown;
}

/**
 * The only error type a datasource throws. Messages never contain secret values or row data.
 */
export class DatasourceError extends Error {
  override readonly name = 'DatasourceError';
  readonly code: DatasourceErrorCode;
  readonly hub: string | undefined;
  readonly type: string | undefined;
  readonly fields: readonly string[];
  readonly columns: readonly string[];
  readonly driverCode: string | undefined;
  /** Whether trying again later (without a config change) may succeed. */
  readonly retryable: boolean;

  constructor(init: DatasourceErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.hub = init.hub;
    this.type = init.type;
    this.fields = init.fields ?? [];
    this.columns = init.columns ?? [];
    this.driverCode = init.driverCode;
    this.retryable = RETRYABLE.has(init.code);
  }
}

/**
 * True for a DatasourceError, also one created by another copy of this package (a plugin may
 * bundle its own), where `instanceof` would say no.
 */
export function isDatasourceError(err: unknown): err is DatasourceError {
  return (
    err instanceof DatasourceError ||
    (err instanceof Error &&
      err.name === 'DatasourceError' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}

/** The error a datasource throws when its AbortSignal fires. */
export function abortedError(signal: AbortSignal, init: { hub?: string; type?: string } = {}) {
  return new DatasourceError({
    code: 'ABORTED',
    message: 'fetch aborted by the caller',
    ...init,
    cause: signal.reason,
  });
}

/** Throws the ABORTED error if the signal has fired. */
export function throwIfAborted(signal: AbortSignal, init: { hub?: string; type?: string } = {}) {
  if (signal.aborted) throw abortedError(signal, init);
}

/** A short, secret-free description of any thrown value, for messages. */
export function describeCause(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
