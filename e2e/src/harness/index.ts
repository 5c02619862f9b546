// The e2e harness: start the operator as a process, give each test file its own namespace,
// table and operator, and look at the cluster through the project's own client.
export {
  startOperator,
  runningOperators,
  OPERATOR_MAIN,
  REPO_ROOT,
  type OperatorOptions,
  type OperatorProcess,
  type ExitStatus,
} from './operator.js';
export { goTool } from './go-tools.js';
export { isLeader, theLeader } from './leader.js';
export { filesUnder } from './files-under.js';
export { freePort, freePorts } from '@lynq/testkit';
export {
  waitFor,
  holdsFor,
  show,
  WaitTimeoutError,
  InvariantBrokenError,
  type WaitForOptions,
  type HoldsForOptions,
  type Probe,
  type Note,
} from './wait-for.js';
export {
  Kube,
  Res,
  typeOf,
  conditionOf,
  isStatus,
  type Condition,
  type KubeEvent,
  type ObjectLike,
  type ListOptions,
  type DeleteOptions,
} from './kube.js';
export {
  hub,
  form,
  configMap,
  deployment,
  job,
  manifest,
  nodeName,
  mysqlSource,
  postgresSource,
  type HubOptions,
  type FormOptions,
  type FormSpecInput,
  type HubSourceInput,
  type ResourcePolicy,
  type WorkloadOptions,
} from './builders.js';
export { scrapeMetrics, parseMetrics, httpGet, type Sample, type Scrape } from './metrics.js';
export { mysqlDb, pgDb, type Db, type Row, type SqlValue } from './sql.js';
export { startTcpProxy, type TcpProxy, type TcpProxyMode } from './tcp-proxy.js';
export { installTestCrd, type TestCrd } from './test-crd.js';
export { useScenario, DEFAULT_COLUMNS, type Scenario, type ScenarioOptions } from './scenario.js';
