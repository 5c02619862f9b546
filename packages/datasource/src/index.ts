export {
  DATASOURCE_CONTRACT_VERSION,
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
  DEFAULT_RESULT_LIMITS,
} from './contract.js';
export {
  DatasourceError,
  type DatasourceErrorCode,
  type DatasourceErrorInit,
  isDatasourceError,
  abortedError,
  throwIfAborted,
  describeCause,
} from './errors.js';
export {
  ACTIVATE_TRUTHY,
  isActive,
  toLynqString,
  toLynqValue,
  sqlDateTimeToGo,
  decodeUtf8,
  InvalidUtf8,
  stripCharPadding,
  type RowValue,
} from './values.js';
export { planColumns, unknownColumnError, type ColumnPlan } from './column-plan.js';
export {
  RowCollector,
  normaliseRecords,
  type RowProblem,
  type RowCollectorOptions,
} from './row-collector.js';
export {
  quoteIdentifier,
  identifierProblem,
  type SqlDialect,
  MYSQL_MAX_IDENTIFIER_CHARS,
  PG_MAX_IDENTIFIER_BYTES,
} from './identifiers.js';
export { HealthTracker } from './health-tracker.js';
export {
  DatasourceRegistry,
  BUILTIN_PLUGIN_PACKAGES,
  type DatasourceRegistryOptions,
  type ModuleImporter,
} from './registry.js';
export { resolveSecretOrFail } from './secrets.js';
export { abortable } from './abortable.js';
export { FetchRunner, type FetchRunnerOptions } from './fetch-runner.js';
export {
  HubDatasources,
  hubKeyOf,
  type HubDatasourcesOptions,
  type HubSpecRef,
} from './hub-datasources.js';
export { combineSignals, type CombinedSignal } from './signals.js';
export { InactivityTimer, queryTimeoutError } from './inactivity-timer.js';
export {
  checkSourceSection,
  describeConfigValue,
  invalidConfigError,
  TLS_MODES,
  type ConfigErrorInit,
  type SourceFieldRule,
} from './config-values.js';
export { resolveTls, type ResolvedTls } from './resolve-tls.js';
export {
  CONNECT_ERROR_CODES,
  TLS_ERROR_CODES,
  formatEndpoint,
  type DriverErrorContext,
} from './driver-errors.js';
export { hubKey, constructDatasource, resolveLimits } from './construct-datasource.js';
// The conformance kit and the test context: @lynq/datasource/testing (src/testing.ts).
