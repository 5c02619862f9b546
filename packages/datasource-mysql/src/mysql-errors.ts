import {
  CONNECT_ERROR_CODES,
  DatasourceError,
  describeCause,
  TLS_ERROR_CODES,
  type DatasourceErrorCode,
  type DriverErrorContext,
} from '@lynq/datasource';

/** What a driver error is about, for the message. */
export interface MysqlErrorContext extends DriverErrorContext {
  /** True when the source's TLS mode is `disable`: a refusal may mean the server requires TLS. */
  plaintext?: boolean;
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ER_CONNECTION_KILLED', // MariaDB 1927: KILL from another session
  'ER_QUERY_INTERRUPTED', // 1317: KILL QUERY
  'ER_SERVER_SHUTDOWN',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
]);

const MYSQL_TLS_CODES = new Set([
  'HANDSHAKE_NO_SSL_SUPPORT', // TLS asked for, the server has none
  // mysql2 replaces the code of every TLS handshake error (a certificate not trusted, a host name
  // not in it) with this one; the message is Node's.
  'HANDSHAKE_SSL_ERROR',
  'ER_SECURE_TRANSPORT_REQUIRED', // MySQL 3159: require_secure_transport and a plain connection
]);

// MariaDB refuses a plain connection under require_secure_transport (or a user with REQUIRE SSL)
// with the "Access denied" of a wrong password, so the message has to name both causes.
const PLAINTEXT_HINT =
  ' (the connection is not encrypted: if the server requires TLS, set spec.source.mysql.tls.mode)';

/**
 * Translates a mysql2 error into a DatasourceError with a message a hub's owner can act on.
 * UNKNOWN_COLUMN is refined by the caller (it needs a query to say which columns are missing).
 */
export function mysqlError(err: unknown, ctx: MysqlErrorContext): DatasourceError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as DriverError;
  const driverCode = e.code ?? (e.errno === undefined ? undefined : String(e.errno));
  const text = e.sqlMessage ?? e.message ?? describeCause(err);
  const make = (code: DatasourceErrorCode, message: string) =>
    new DatasourceError({ code, message, hub: ctx.hub, type: 'mysql', driverCode, cause: err });

  if (e.code !== undefined && CONNECT_ERROR_CODES.has(e.code)) {
    return make('CONNECT_FAILED', `cannot connect to MySQL at ${ctx.endpoint}: ${e.code}`);
  }
  if (e.code === 'ETIMEDOUT') {
    return make(
      'TIMEOUT',
      `connecting to MySQL at ${ctx.endpoint} timed out after ${ctx.connectTimeoutMs} ms`,
    );
  }
  if (e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return make('TIMEOUT', `reading ${ctx.table} timed out after ${ctx.queryTimeoutMs} ms`);
  }
  if (e.code !== undefined && (TLS_ERROR_CODES.has(e.code) || MYSQL_TLS_CODES.has(e.code))) {
    return make('TLS_FAILED', `TLS to MySQL at ${ctx.endpoint} failed: ${text}`);
  }
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR': {
      const hint = ctx.plaintext === true ? PLAINTEXT_HINT : '';
      return make('AUTH_FAILED', `MySQL at ${ctx.endpoint} refused access: ${text}${hint}`);
    }
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR':
      return make('AUTH_FAILED', `MySQL at ${ctx.endpoint} refused access: ${text}`);
    case 'ER_BAD_DB_ERROR':
      return make('UNKNOWN_DATABASE', `database ${ctx.database} does not exist on ${ctx.endpoint}`);
    case 'ER_NO_SUCH_TABLE':
      return make('UNKNOWN_TABLE', `table ${ctx.table} does not exist (spec.source.mysql.table)`);
    case 'ER_BAD_FIELD_ERROR':
      return make('UNKNOWN_COLUMN', `${text} in table ${ctx.table}`);
    default:
      break;
  }
  if (e.code !== undefined && LOST_CODES.has(e.code)) {
    return make('CONNECTION_LOST', `connection to MySQL at ${ctx.endpoint} was lost: ${text}`);
  }
  return make('QUERY_FAILED', `reading ${ctx.table} failed: ${text}`);
}
