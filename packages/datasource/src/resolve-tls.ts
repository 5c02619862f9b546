import type { DatabaseTls } from '@lynq/api';
import type { SecretResolver } from './contract.js';
import { resolveSecretOrFail } from './secrets.js';

/** What a driver needs to build its TLS options from a source's `tls` section. */
export type ResolvedTls =
  | { mode: 'disable' }
  | { mode: 'require' }
  /** `ca` is the PEM from `caSecretRef`; without one, the system roots apply. */
  | { mode: 'verify-ca' | 'verify-full'; ca?: string };

/**
 * The TLS mode of a source (absent means `disable`), with the CA read from its Secret for the
 * verifying modes. `fieldPath` is the source's `tls` path, e.g. `spec.source.mysql.tls`; an
 * unreadable CA fails with SECRET_UNAVAILABLE naming `<fieldPath>.caSecretRef`.
 */
export async function resolveTls(
  tls: DatabaseTls | undefined,
  resolveSecret: SecretResolver,
  fieldPath: string,
): Promise<ResolvedTls> {
  if (tls === undefined || tls.mode === 'disable') return { mode: 'disable' };
  if (tls.mode === 'require') return { mode: 'require' };
  if (tls.caSecretRef === undefined) return { mode: tls.mode };
  const ca = await resolveSecretOrFail(resolveSecret, tls.caSecretRef, `${fieldPath}.caSecretRef`);
  return { mode: tls.mode, ca };
}
