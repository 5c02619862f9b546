import type { ValueMappings } from '@lynq/api';
import type { DatasourceContext, DatasourceLimits } from './contract.js';
import { DatasourceError } from './errors.js';

/** The parts of a DatasourceContext a driver's tests vary. */
export interface TestContextOptions {
  extra?: Record<string, string>;
  /** Default `{ uid: 'id', activate: 'active' }`. */
  mappings?: ValueMappings;
  /** Secret values keyed `name/key`; any other reference is rejected as not found. */
  secrets?: Record<string, string>;
  limits?: DatasourceLimits;
}

/**
 * A context for tests of a datasource: hub `default/hub-under-test` with the given source and a
 * Secret resolver that serves `options.secrets`.
 */
export function testDatasourceContext(
  source: DatasourceContext['source'],
  options: TestContextOptions = {},
): DatasourceContext {
  return {
    hub: { namespace: 'default', name: 'hub-under-test' },
    source,
    valueMappings: options.mappings ?? { uid: 'id', activate: 'active' },
    extraValueMappings: options.extra,
    limits: options.limits,
    resolveSecret: (ref) => {
      const value = options.secrets?.[`${ref.name}/${ref.key}`];
      return value === undefined
        ? Promise.reject(new Error(`secret ${ref.name}/${ref.key} not found`))
        : Promise.resolve(value);
    },
  };
}

/**
 * The DatasourceError that `promise` rejects with, for tests of failure cases. Rethrows any other
 * rejection, and throws when the promise resolves instead.
 */
export async function datasourceRejection(promise: Promise<unknown>): Promise<DatasourceError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DatasourceError) return err;
    throw err;
  }
  throw new Error('expected a DatasourceError, but the promise resolved');
}
