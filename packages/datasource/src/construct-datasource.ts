import type { Datasource, DatasourceContext, DatasourceLimits } from './contract.js';
import { DatasourceError } from './errors.js';

/** The hub of a context as `namespace/name`, the form every DatasourceError carries. */
export function hubKey(context: DatasourceContext): string {
  return `${context.hub.namespace}/${context.hub.name}`;
}

/**
 * Runs a datasource constructor that validates synchronously, as a plugin's `create`: its
 * DatasourceError becomes a rejection instead of a synchronous throw.
 */
export function constructDatasource(build: () => Datasource): Promise<Datasource> {
  try {
    return Promise.resolve(build());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/**
 * `defaults` overridden by the operator's `limits`; every limit must be a positive integer, or
 * INVALID_CONFIG naming it.
 */
export function resolveLimits<L extends Required<DatasourceLimits>>(
  defaults: L,
  limits: DatasourceLimits | undefined,
  init: { hub: string; type: string },
): L {
  const resolved: L = { ...defaults, ...limits };
  // A caller may pass a non-number despite the type (plain JavaScript, a bad flag parser).
  for (const [name, value] of Object.entries(resolved) as [string, unknown][]) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new DatasourceError({
        code: 'INVALID_CONFIG',
        message: `datasource limit ${name} must be a positive integer, got ${String(value)}`,
        ...init,
      });
    }
  }
  return resolved;
}
