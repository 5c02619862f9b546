import { DATASOURCE_CONTRACT_VERSION, type DatasourcePlugin } from '@lynq/datasource';
import { createPgDatasource } from './pg-datasource.js';

/** The built-in `postgresql` type. */
export const datasourcePlugin: DatasourcePlugin = {
  contractVersion: DATASOURCE_CONTRACT_VERSION,
  type: 'postgresql',
  create: createPgDatasource,
};
