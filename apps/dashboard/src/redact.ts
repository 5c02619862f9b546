// What the dashboard never shows: Secret values (in forms, nodes and live objects) and datasource
// credentials. Everything the server sends about an object goes through one of these functions.
import { RESOURCE_LIST_KEYS, type LynqHub } from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';

export const REDACTED = '[redacted]';

/** Secret fields whose values are hidden (keys stay visible: they say what the Secret holds). */
const SECRET_VALUE_FIELDS = ['data', 'stringData'] as const;
/** kubectl keeps the whole last applied object here, values included. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of a Secret-like manifest with every value of data/stringData replaced. */
function redactSecretBody(obj: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  for (const field of SECRET_VALUE_FIELDS) {
    const values = copy[field];
    if (isRecord(values))
      copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
    else if (values !== undefined) copy[field] = REDACTED;
  }
  return redactLastApplied(copy);
}

/**
 * kubectl's last-applied copy redacted on every object, not only Secrets: a LynqForm or LynqNode
 * applied with kubectl keeps its whole manifest there, literal Secret values included.
 */
function redactLastApplied(obj: Record<string, unknown>): Record<string, unknown> {
  const metadata = obj['metadata'];
  if (!isRecord(metadata) || !isRecord(metadata['annotations'])) return obj;
  if (!(LAST_APPLIED in metadata['annotations'])) return obj;
  const annotations = { ...metadata['annotations'], [LAST_APPLIED]: REDACTED };
  return { ...obj, metadata: { ...metadata, annotations } };
}

/** A live object fit for display: managedFields dropped, Secret values redacted. */
export function displayObject(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  delete metadata['managedFields'];
  const copy: KubeObject = { ...obj, metadata };
  if (obj.kind === 'Secret') return redactSecretBody(copy) as KubeObject;
  return redactSecretLooking(redactLastApplied(copy)) as KubeObject;
}

/** Names that say a value is a credential: an env var or an extra value called so is hidden. */
const SECRET_NAME = /pass(word|wd)?|secret|token|api_?key|private_?key|credential|dsn/i;

/**
 * A copy with secret-looking literals hidden: `env` entries whose name looks like a credential
 * (a form may copy a row's password into `value:`), and such keys of the node's `lynq.sh/extra`
 * annotation (the row's extra values). Iterative: a deep spec does not exhaust the stack.
 */
function redactSecretLooking(root: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...root };
  const stack: Record<string, unknown>[] = [out];
  while (stack.length > 0) {
    const obj = stack.pop()!;
    for (const [k, v] of Object.entries(obj)) {
      if (Array.isArray(v)) {
        obj[k] = v.map((item: unknown) => {
          if (!isRecord(item)) return item;
          const copy: Record<string, unknown> = { ...item };
          if (
            k === 'env' &&
            typeof copy['name'] === 'string' &&
            'value' in copy &&
            SECRET_NAME.test(copy['name'])
          )
            copy['value'] = REDACTED;
          stack.push(copy);
          return copy;
        });
      } else if (isRecord(v)) {
        const copy = { ...v };
        if (k === 'annotations' && typeof copy[EXTRA] === 'string')
          copy[EXTRA] = redactExtra(copy[EXTRA]);
        obj[k] = copy;
        stack.push(copy);
      }
    }
  }
  return out;
}

const EXTRA = 'lynq.sh/extra';

function redactExtra(json: string): string {
  try {
    const values: unknown = JSON.parse(json);
    if (!isRecord(values)) return json;
    return JSON.stringify(
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, SECRET_NAME.test(k) ? REDACTED : v]),
      ),
    );
  } catch {
    return json; // not JSON: the operator did not write it, nothing of ours to hide
  }
}

/**
 * A LynqForm or LynqNode with the body of every templated Secret redacted (the `secrets` list
 * and any Secret among `manifests`): a form may carry literal values, a node the rendered rows.
 */
export function redactLynqObject<T extends KubeObject>(obj: T): T {
  const spec = obj['spec'];
  if (!isRecord(spec)) return displayObject(obj) as T;
  const specCopy: Record<string, unknown> = { ...spec };
  for (const key of RESOURCE_LIST_KEYS) {
    const list = specCopy[key];
    if (!Array.isArray(list)) continue;
    specCopy[key] = list.map((entry: unknown) => {
      if (!isRecord(entry) || !isRecord(entry['spec'])) return entry;
      const body = entry['spec'];
      const isSecret = key === 'secrets' || body['kind'] === 'Secret';
      return isSecret ? { ...entry, spec: redactSecretBody(body) } : entry;
    });
  }
  return redactSecretLooking({ ...displayObject(obj), spec: specCopy }) as unknown as T;
}

/**
 * The datasource of a hub as plain strings: connection facts, the password only as the name of
 * the Secret reference, and for plugins only the names of the config keys (a plugin's config
 * may hold a DSN or a token under any name, so no value is shown).
 */
export function datasourceView(hub: LynqHub): Record<string, string> {
  const source = hub.spec?.source;
  if (source === undefined) return {};
  const out: Record<string, string> = {
    type: source.type,
    syncInterval: source.syncInterval ?? '30s',
  };
  const db = source.type === 'postgresql' ? source.postgresql : source.mysql;
  if (db !== undefined) {
    out['host'] = db.host;
    out['port'] = String(db.port ?? (source.type === 'postgresql' ? 5432 : 3306));
    out['username'] = db.username;
    out['database'] = db.database;
    if ('schema' in db && typeof db.schema === 'string') out['schema'] = db.schema;
    out['table'] = db.table;
    if (db.passwordRef !== undefined)
      out['password'] = `from Secret ${db.passwordRef.name} (key ${db.passwordRef.key})`;
    if (db.tls !== undefined) out['tls'] = db.tls.mode ?? 'configured';
  }
  if (source.config !== undefined)
    out['config keys'] = Object.keys(source.config).sort().join(', ') || '(none)';
  return out;
}
