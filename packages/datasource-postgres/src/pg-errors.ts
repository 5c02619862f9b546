import {
  CONNECT_ERROR_CODES,
  DatasourceError,
  describeCause,
  TLS_ERROR_CODES,
  type DatasourceErrorCode,
  type DriverErrorContext,
} from '@lynq/datasource';

export type PgErrorContext = DriverErrorContext;

/** Translates a pg error (SQLSTATE or socket error) into a DatasourceError. */
export function pgError(err: unknown, ctx: PgErrorContext): DatasourceError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: string;
    message?: string;
  };
  const text = e.message ?? describeCause(err);
  const make = (code: DatasourceErrorCode, message: string) =>
    new DatasourceError({
      code,
      message,
      hub: ctx.hub,
      type: 'postgresql',
      driverCode: e.code,
      cause: err,
    });
  const code = e.code ?? '';

  if (CONNECT_ERROR_CODES.has(code))
    return make('CONNECT_FAILED', `cannot connect to PostgreSQL at ${ctx.endpoint}: ${code}`);
  if (TLS_ERROR_CODES.has(code) || (code === '' && /SSL|certificate/i.test(text))) {
    return make('TLS_FAILED', `TLS to PostgreSQL at ${ctx.endpoint} failed: ${text}`);
  }
  if (code === '' && /timeout/i.test(text) && /connect/i.test(text)) {
    return make(
      'TIMEOUT',
      `connecting to PostgreSQL at ${ctx.endpoint} timed out after ${ctx.connectTimeoutMs} ms`,
    );
  }
  if (code === '' && /Connection terminated|ECONNRESET|EPIPE/i.test(text)) {
    return make('CONNECTION_LOST', `connection to PostgreSQL at ${ctx.endpoint} was lost: ${text}`);
  }
  switch (code) {
    case '28P01':
    case '28000':
    case '42501':
      return make('AUTH_FAILED', `PostgreSQL at ${ctx.endpoint} refused access: ${text}`);
    case '3D000':
      return make('UNKNOWN_DATABASE', `database ${ctx.database} does not exist on ${ctx.endpoint}`);
    case '42P01':
    case '3F000':
      return make(
        'UNKNOWN_TABLE',
        `table ${ctx.table} does not exist (spec.source.postgresql.schema, spec.source.postgresql.table)`,
      );
    case '42703':
      return make('UNKNOWN_COLUMN', `${text} in table ${ctx.table}`);
    case '57014':
      return /statement timeout/.test(text)
        ? // Not queryTimeoutMs (measured by the fetch itself): a statement_timeout set on the role
          // or database by its administrator.
          make(
            'TIMEOUT',
            `reading ${ctx.table} was stopped by the server's statement_timeout (set on the role or database): ${text}`,
          )
        : make('QUERY_FAILED', `reading ${ctx.table} was cancelled: ${text}`);
    default:
      break;
  }
  // Class 08 (connection exception) and 57P0x (server shutting down or session terminated).
  if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) {
    return make('CONNECTION_LOST', `connection to PostgreSQL at ${ctx.endpoint} was lost: ${text}`);
  }
  return make('QUERY_FAILED', `reading ${ctx.table} failed: ${text}`);
}
