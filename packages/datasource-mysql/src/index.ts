import { datasourcePlugin } from './plugin.js';

export { datasourcePlugin };
export default datasourcePlugin;
export { createMysqlDatasource, MYSQL_DEFAULT_LIMITS } from './mysql-datasource.js';
export { buildMysqlSelect, mysqlTableRef, type MysqlTableRef } from './sql.js';
export { mysqlSslOptions } from './tls-options.js';
export { columnConverters, readsServerText, MYSQL_RESULT_OPTIONS } from './column-converters.js';
