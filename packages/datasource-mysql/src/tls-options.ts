import { connect, isIP, type Socket } from 'node:net';
import type { DatabaseTls } from '@lynq/api';
import { resolveTls, type SecretResolver } from '@lynq/datasource';
import type { SslOptions } from 'mysql2';

/**
 * mysql2 `ssl` options for `spec.source.mysql.tls`:
 * - absent or `disable`: plain connection;
 * - `require`: TLS, certificate not checked;
 * - `verify-ca`: the chain must lead to `caSecretRef` (or the system roots);
 * - `verify-full`: as verify-ca, and the certificate must name the host.
 */
export async function mysqlSslOptions(
  tls: DatabaseTls | undefined,
  resolveSecret: SecretResolver,
): Promise<SslOptions | undefined> {
  const resolved = await resolveTls(tls, resolveSecret, 'spec.source.mysql.tls');
  if (resolved.mode === 'disable') return undefined;
  if (resolved.mode === 'require') return { rejectUnauthorized: false };
  return {
    ...(resolved.ca === undefined ? {} : { ca: resolved.ca }),
    rejectUnauthorized: true,
    verifyIdentity: resolved.mode === 'verify-full',
  };
}

/**
 * The mysql2 `stream` option for `verify-full` to an IP address (undefined otherwise: mysql2 opens
 * the socket itself).
 *
 * mysql2 upgrades its socket with `tls.connect({ socket, checkServerIdentity })` and, as SNI allows
 * no IP address, passes no servername for one. Node then checks the certificate against the
 * socket's `_host`, which `net.connect` sets only after a DNS lookup, and else against
 * "localhost": any certificate naming localhost passed for any address, and one naming only the
 * address failed. With `_host` set, Node checks the address during the handshake, before the
 * password is sent.
 */
export function mysqlTlsStream(
  host: string,
  port: number,
  ssl: SslOptions | undefined,
): (() => Socket) | undefined {
  if (ssl?.verifyIdentity !== true || isIP(host) === 0) return undefined;
  return () => {
    // What mysql2 does for its own socket: no Nagle delay, keep-alive on.
    const socket = connect({ host, port, noDelay: true, keepAlive: true });
    (socket as Socket & { _host: string | null })._host = host;
    return socket;
  };
}
