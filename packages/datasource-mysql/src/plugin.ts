import { DATASOURCE_CONTRACT_VERSION, type DatasourcePlugin } from '@lynq/datasource';
import { createMysqlDatasource } from './mysql-datasource.js';

/** The built-in `mysql` type (MySQL and MariaDB). */
export const datasourcePlugin: DatasourcePlugin = {
  contractVersion: DATASOURCE_CONTRACT_VERSION,
  type: 'mysql',
  create: createMysqlDatasource,
};
