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
