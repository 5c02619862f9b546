import { datasourcePlugin } from './plugin.js';

export { datasourcePlugin };
export default datasourcePlugin;
export { createPgDatasource, PG_DEFAULT_LIMITS } from './pg-datasource.js';
export {
  installChangeTrigger,
  removeChangeTrigger,
  changeTriggerSql,
  notifyChannel,
  CHANGE_TRIGGER_NAME,
  CHANGE_FUNCTION_NAME,
  type ChangeTriggerOptions,
  type SqlRunner,
  type TableRef,
} from './change-trigger.js';
export { buildPgSelect } from './sql.js';
export { pgSslOptions } from './tls-options.js';
export { lynqPgTypes } from './type-parsers.js';
