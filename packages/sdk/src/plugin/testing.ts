// @lynq/sdk/plugin/testing: what a datasource plugin's own tests use. The conformance kit checks a
// datasource against the contract as the operator relies on it (shape, rows and problems, aborts,
// close, no secret in describe() or errors, loading by package name); testDatasourceContext
// stands in for the context the operator passes to create().
export {
  checkDatasourceConformance,
  assertDatasourceConformance,
  ConformanceError,
  testDatasourceContext,
  datasourceRejection,
  type ConformanceOptions,
  type ConformanceCheck,
  type ConformanceReport,
  type TestContextOptions,
} from '@lynq/datasource/testing';
