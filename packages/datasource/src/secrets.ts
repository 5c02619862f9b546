import type { SecretKeyRef } from '@lynq/api';
import type { SecretResolver } from './contract.js';
import { DatasourceError, describeCause, isDatasourceError } from './errors.js';

/** Reads a Secret key; failures become SECRET_UNAVAILABLE naming the field, never the value. */
export async function resolveSecretOrFail(
  resolve: SecretResolver,
  ref: SecretKeyRef,
  field: string,
): Promise<string> {
  try {
    return await resolve(ref);
  } catch (err) {
    if (isDatasourceError(err) && err.code === 'SECRET_UNAVAILABLE') throw err;
    throw new DatasourceError({
      code: 'SECRET_UNAVAILABLE',
      message: `${field}: cannot read key ${JSON.stringify(ref.key)} of Secret ${JSON.stringify(ref.name)}: ${describeCause(err)}`,
      fields: [field],
      cause: err,
    });
  }
}
