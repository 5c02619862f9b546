// @lynq/datasource/testing: what a plugin's own tests use. The conformance kit checks a
// datasource against the contract as the operator relies on it; the test context stands in for the
// one the operator passes to a plugin's constructor. Kept out of the root entry, which is what the
// operator and a plugin load at run time.
export {
  checkDatasourceConformance,
  assertDatasourceConformance,
  ConformanceError,
  type ConformanceOptions,
  type ConformanceCheck,
  type ConformanceReport,
} from './conformance.js';
export {
  datasourceRejection,
  testDatasourceContext,
  type TestContextOptions,
} from './test-context.js';
