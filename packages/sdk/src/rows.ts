// Rows as a tool has them (records keyed by column: a JSON file, a CSV, a test fixture) turned into
// what the hub controller reads from a datasource, through @lynq/datasource's own normalisation
// (values as Lynq sees them, duplicate and empty uids reported as problems).
import { BUILTIN_VARIABLES, type LynqForm, type LynqHub } from '@lynq/api';
import { normaliseRecords, planColumns, toLynqValue, type FetchResult } from '@lynq/datasource';

/** One row: column name → value (strings, numbers, booleans, null, dates; objects become JSON). */
export type RowRecord = Readonly<Record<string, unknown>>;

/** The rows of `records` as the hub controller reads them through `hub`'s value mappings. */
export function rowsThroughHub(hub: LynqHub, records: readonly RowRecord[]): FetchResult {
  const plan = planColumns(hub.spec.valueMappings, hub.spec.extraValueMappings);
  return normaliseRecords(records, plan, {
    table: 'rows',
    hub: `${hub.metadata.namespace ?? ''}/${hub.metadata.name ?? ''}`,
  });
}

const UID = 'uid';
const ACTIVATE = 'activate';
const HOST_OR_URL = 'hostOrUrl';

/**
 * Without a hub, each column is a variable of its name: `uid` names the node, `activate` (default
 * "true") whether it exists, `hostOrUrl` is the deprecated mapping, and every other column is an
 * extra variable (built-in names other than these are left out: they are not a row's to set). A
 * column some rows lack is "" in those rows, as a NULL is.
 */
export function hubForColumns(
  form: LynqForm,
  records: readonly RowRecord[],
): {
  hub: LynqHub;
  records: RowRecord[];
} {
  const columns = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) columns.add(key);
  const extras: Record<string, string> = {};
  for (const column of columns) if (!BUILTIN_VARIABLES.includes(column)) extras[column] = column;
  const hub: LynqHub = {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name: form.spec.hubId, namespace: form.metadata.namespace ?? 'default' },
    spec: {
      // Never connected to: the rows come from the caller.
      source: {
        type: 'mysql',
        syncInterval: '30s',
        mysql: { host: 'rows', port: 3306, username: 'rows', database: 'rows', table: 'rows' },
      },
      valueMappings: {
        uid: UID,
        activate: ACTIVATE,
        ...(columns.has(HOST_OR_URL) ? { hostOrUrl: HOST_OR_URL } : {}),
      },
      extraValueMappings: extras,
    },
  };
  const filled = records.map((record) => {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const column of columns) out[column] = Object.hasOwn(record, column) ? record[column] : '';
    if (!Object.hasOwn(record, ACTIVATE)) out[ACTIVATE] = 'true';
    if (!Object.hasOwn(record, UID)) out[UID] = '';
    return out;
  });
  return { hub, records: filled };
}

/**
 * The 1-based position of the first record of each uid, read as the datasource reads it (a uid
 * that is blank or not UTF-8 names no node and has none).
 */
export function uidPositions(hub: LynqHub, records: readonly RowRecord[]): Map<string, number> {
  const column = hub.spec.valueMappings.uid;
  const positions = new Map<string, number>();
  records.forEach((record, i) => {
    const uid = toLynqValue(Object.hasOwn(record, column) ? record[column] : null);
    if (typeof uid === 'string' && uid.trim() !== '' && !positions.has(uid))
      positions.set(uid, i + 1);
  });
  return positions;
}
