import type { DatabaseTls } from '@lynq/api';
import { resolveTls, type SecretResolver } from '@lynq/datasource';
import type { ConnectionOptions } from 'node:tls';

/**
 * pg `ssl` options for `spec.source.postgresql.tls` (the libpq sslmode names):
 * - absent or `disable`: plain connection;
 * - `require`: TLS, certificate not checked;
 * - `verify-ca`: the chain must lead to `caSecretRef` (or the system roots), any host name;
 * - `verify-full`: as verify-ca, and the certificate must name the host.
 */
export async function pgSslOptions(
  tls: DatabaseTls | undefined,
  resolveSecret: SecretResolver,
): Promise<false | ConnectionOptions> {
  const resolved = await resolveTls(tls, resolveSecret, 'spec.source.postgresql.tls');
  if (resolved.mode === 'disable') return false;
  if (resolved.mode === 'require') return { rejectUnauthorized: false };
  return {
    ...(resolved.ca === undefined ? {} : { ca: resolved.ca }),
    rejectUnauthorized: true,
    ...(resolved.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}
