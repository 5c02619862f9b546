export {
  ensureControlPlane,
  testKubeconfigPath,
  type ControlPlane,
  type EnsureOptions,
} from './control-plane.js';
export {
  restartApiServer,
  restartClusterComponent,
  startClusterComponent,
  stopClusterComponent,
  status as clusterStatus,
  type Component as ClusterComponent,
  type RestartOptions,
  type ClusterStatus,
} from './cluster.js';
export { type Profile } from './binaries.js';
export {
  useTestNamespace,
  loadTestKubeConfig,
  kubeconfigPath,
  type TestNamespace,
  type TestNamespaceOptions,
} from './namespace.js';
export {
  createMysqlTable,
  createPgSchema,
  mysqlUrl,
  pgUrl,
  type MysqlTable,
  type PgSchema,
} from './db.js';
export { waitFor, freePort, freePorts, httpStatus, type WaitOptions } from './proc.js';
export { installCrds, readCrds, crdDir } from './crds.js';
export { uniqueName } from './names.js';
export { servingCertificate, type ServingCertificate } from './certs.js';
export { TestkitError, type TestkitErrorCode } from './errors.js';
export {
  goAppliedHash,
  goHashes,
  oracleBinary as goHashOracle,
  type OracleResult,
} from './go-hash-oracle.js';
export { imageEnvironment } from './image-env.js';
