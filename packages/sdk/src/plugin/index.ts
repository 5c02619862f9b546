// @lynq/sdk/plugin: what a datasource plugin author needs, from @lynq/datasource. A plugin is a
// package whose default export is a DatasourcePlugin; the operator loads it with
// --datasource-plugins. See examples/datasource-csv for a whole plugin written against this entry.

// The contract
export {
  DATASOURCE_CONTRACT_VERSION,
  DEFAULT_RESULT_LIMITS,
  type Datasource,
  type DatasourcePlugin,
  type DatasourceContext,
  type DatasourceLimits,
  type SecretResolver,
  type Row,
  type FetchResult,
  type ChangeEvent,
  type ChangeListener,
  type Unsubscribe,
  type DatasourceDescription,
  type DatasourceHealth,
  type ConnectionLimits,
  type ResultLimits,
} from '@lynq/datasource';

// Errors a datasource reports (every failure is a DatasourceError with a code)
export {
  DatasourceError,
  isDatasourceError,
  abortedError,
  throwIfAborted,
  describeCause,
  type DatasourceErrorCode,
  type DatasourceErrorInit,
} from '@lynq/datasource';

// Helpers: construction, config checks, rows as Lynq normalises them, health, cancellation
export {
  constructDatasource,
  hubKey,
  checkSourceSection,
  describeConfigValue,
  invalidConfigError,
  resolveSecretOrFail,
  planColumns,
  unknownColumnError,
  normaliseRecords,
  RowCollector,
  toLynqValue,
  toLynqString,
  isActive,
  quoteIdentifier,
  identifierProblem,
  HealthTracker,
  abortable,
  combineSignals,
  InactivityTimer,
  queryTimeoutError,
  type ColumnPlan,
  type RowProblem,
  type RowCollectorOptions,
  type RowValue,
  type SqlDialect,
  type ConfigErrorInit,
  type SourceFieldRule,
  type CombinedSignal,
} from '@lynq/datasource';

// The registry that loads a plugin by package name, as the operator does with --datasource-plugins
export { DatasourceRegistry } from '@lynq/datasource';
// The conformance kit is in @lynq/sdk/plugin/testing: a plugin's tests use it, the operator never
// loads it.
