import {
  DEFAULT_RESULT_LIMITS,
  type ConnectionLimits,
  type Datasource,
  type DatasourceContext,
  type DatasourceLimits,
  type ResultLimits,
} from './contract.js';
import { describeConfigValue } from './config-values.js';
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
 * `defaults` (the driver's connection limits) and DEFAULT_RESULT_LIMITS, overridden by the
 * operator's `limits` (undefined entries keep the default); every limit must be a positive
 * integer, or INVALID_CONFIG naming it and what it got.
 */
export function resolveLimits<L extends ConnectionLimits>(
  defaults: L,
  limits: DatasourceLimits | undefined,
  init: { hub: string; type: string },
): L & ResultLimits {
  const resolved: Record<string, unknown> = { ...DEFAULT_RESULT_LIMITS, ...defaults };
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (value !== undefined) resolved[name] = value;
  }
  // A caller may pass a non-number despite the type (plain JavaScript, a bad flag parser).
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new DatasourceError({
        code: 'INVALID_CONFIG',
        message: `datasource limit ${name} must be a positive integer, got ${describeConfigValue(value)}`,
        ...init,
      });
    }
  }
  return resolved as L & ResultLimits;
}
