import { describe, expect, it } from 'vitest';
import { mysqlError } from './mysql-errors.js';

const ctx = {
  hub: 'ns/h',
  endpoint: 'db:3306',
  table: 'app.tenants',
  database: 'app',
  connectTimeoutMs: 5000,
  queryTimeoutMs: 30000,
};
const err = (code: string, sqlMessage?: string) =>
  Object.assign(new Error(sqlMessage ?? code), { code, sqlMessage });

describe('mysqlError', () => {
  it.each([
    [err('ENOTFOUND'), 'CONNECT_FAILED', 'cannot connect to MySQL at db:3306: ENOTFOUND'],
    [err('ECONNREFUSED'), 'CONNECT_FAILED', 'cannot connect to MySQL at db:3306: ECONNREFUSED'],
    [err('ETIMEDOUT'), 'TIMEOUT', 'connecting to MySQL at db:3306 timed out after 5000 ms'],
    [err('PROTOCOL_SEQUENCE_TIMEOUT'), 'TIMEOUT', 'reading app.tenants timed out after 30000 ms'],
    [
      err('ER_ACCESS_DENIED_ERROR', "Access denied for user 'u'@'h' (using password: YES)"),
      'AUTH_FAILED',
      "MySQL at db:3306 refused access: Access denied for user 'u'@'h' (using password: YES)",
    ],
    [
      err('ER_BAD_DB_ERROR', "Unknown database 'app'"),
      'UNKNOWN_DATABASE',
      'database app does not exist on db:3306',
    ],
    [
      err('ER_NO_SUCH_TABLE', "Table 'app.tenants' doesn't exist"),
      'UNKNOWN_TABLE',
      'table app.tenants does not exist (spec.source.mysql.table)',
    ],
    [
      err('ER_CONNECTION_KILLED', 'Connection was killed'),
      'CONNECTION_LOST',
      'connection to MySQL at db:3306 was lost: Connection was killed',
    ],
    [
      err('PROTOCOL_CONNECTION_LOST', 'Connection lost: The server closed the connection.'),
      'CONNECTION_LOST',
      'connection to MySQL at db:3306 was lost: Connection lost: The server closed the connection.',
    ],
    [
      err('HANDSHAKE_NO_SSL_SUPPORT', 'Server does not support secure connection'),
      'TLS_FAILED',
      'TLS to MySQL at db:3306 failed: Server does not support secure connection',
    ],
    [
      // What mysql2 makes of every failed TLS handshake (here a CA that did not sign the server's).
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'HANDSHAKE_SSL_ERROR',
      }),
      'TLS_FAILED',
      'TLS to MySQL at db:3306 failed: self-signed certificate in certificate chain',
    ],
    [
      err(
        'ER_SECURE_TRANSPORT_REQUIRED',
        'Connections using insecure transport are prohibited while --require_secure_transport=ON.',
      ),
      'TLS_FAILED',
      'TLS to MySQL at db:3306 failed: Connections using insecure transport are prohibited while --require_secure_transport=ON.',
    ],
    [
      err('ER_PARSE_ERROR', 'You have an error'),
      'QUERY_FAILED',
      'reading app.tenants failed: You have an error',
    ],
  ])('maps %s', (cause, code, message) => {
    const e = mysqlError(cause, ctx);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    expect(e.driverCode).toBe(cause.code);
  });

  it('says that a refused plain connection may need TLS', () => {
    const denied = err(
      'ER_ACCESS_DENIED_ERROR',
      "Access denied for user 'u'@'h' (using password: YES)",
    );
    expect(mysqlError(denied, { ...ctx, plaintext: true }).message).toBe(
      "MySQL at db:3306 refused access: Access denied for user 'u'@'h' (using password: YES) (the connection is not encrypted: if the server requires TLS, set spec.source.mysql.tls.mode)",
    );
    expect(mysqlError(denied, { ...ctx, plaintext: false }).message).toBe(
      "MySQL at db:3306 refused access: Access denied for user 'u'@'h' (using password: YES)",
    );
    // A missing privilege is not about the connection.
    const noGrant = err('ER_TABLEACCESS_DENIED_ERROR', 'SELECT command denied');
    expect(mysqlError(noGrant, { ...ctx, plaintext: true }).message).toBe(
      'MySQL at db:3306 refused access: SELECT command denied',
    );
  });
});
