import type { ValueMappings } from '@lynq/api';
import type { DatasourceContext, DatasourceLimits } from './contract.js';

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
