import { DATASOURCE_CONTRACT_VERSION, type DatasourcePlugin } from '@lynq/sdk/plugin';
import { createCsvDatasource } from './csv-datasource.js';

/** The `csv` datasource type: what the operator imports with `--datasource-plugins`. */
export const datasourcePlugin: DatasourcePlugin = {
  contractVersion: DATASOURCE_CONTRACT_VERSION,
  type: 'csv',
  create: createCsvDatasource,
};
