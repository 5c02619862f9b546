import { datasourcePlugin } from './plugin.js';

export { datasourcePlugin };
export default datasourcePlugin;
export { createCsvDatasource, parseCsvConfig, type CsvConfig } from './csv-datasource.js';
export { parseCsv, CsvSyntaxError } from './parse-csv.js';
