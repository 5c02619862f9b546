import type { LynqFormInput } from './schemas/form.js';
import type { LynqHubInput } from './schemas/hub.js';
import { RESOURCE_LIST_KEYS } from './schemas/resource.js';

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets `obj[key]` when it is absent, or "empty" as Lynq's webhook understands it (`''`, `0`). */
function defaultField(obj: Plain, key: string, value: unknown, emptyToo = false): void {
  const cur = obj[key];
  if (cur === undefined || cur === null || (emptyToo && (cur === '' || cur === 0)))
    obj[key] = value;
}

/**
 * The defaults of Lynq's LynqHub CRD and mutating webhook (`syncInterval` 30s when empty, ports
 * when 0), plus ours (PostgreSQL port and schema, deletion-guard fields). Returns a new object;
 * shapes it does not recognise are left for validation to report.
 */
export function applyHubDefaults<T = LynqHubInput>(hub: T): T {
  const out = structuredClone(hub);
  const spec = isPlain(out) ? out.spec : undefined;
  if (!isPlain(spec)) return out;
  const source = spec.source;
  if (isPlain(source)) {
    defaultField(source, 'syncInterval', '30s', true);
    if (isPlain(source.mysql)) defaultField(source.mysql, 'port', 3306, true);
    if (isPlain(source.postgresql)) {
      defaultField(source.postgresql, 'port', 5432, true);
      defaultField(source.postgresql, 'schema', 'public', true);
    }
  }
  if (isPlain(spec.deletionGuard)) {
    defaultField(spec.deletionGuard, 'maxDeletePercent', 50);
    defaultField(spec.deletionGuard, 'minDeletions', 10);
  }
  return out;
}

/** Fills the policy defaults of one resource (Lynq's webhook plus the CRD's skipOnDependencyFailure). */
export function applyResourceDefaults(resource: Plain): void {
  defaultField(resource, 'creationPolicy', 'WhenNeeded', true);
  defaultField(resource, 'deletionPolicy', 'Delete', true);
  defaultField(resource, 'conflictPolicy', 'Stuck', true);
  defaultField(resource, 'patchStrategy', 'apply', true);
  defaultField(resource, 'waitForReady', true);
  defaultField(resource, 'skipOnDependencyFailure', true);
  // An explicit 0 is an error (minimum 1), not "unset": YAML, unlike Go's int32, can tell them apart.
  defaultField(resource, 'timeoutSeconds', 300);
}

/**
 * The defaults of Lynq's LynqForm webhook for every resource of all 16 lists, plus
 * `templateSyntax: go` and the rollout fields. Returns a new object.
 */
export function applyFormDefaults<T = LynqFormInput>(form: T): T {
  const out = structuredClone(form);
  const spec = isPlain(out) ? out.spec : undefined;
  if (!isPlain(spec)) return out;
  defaultField(spec, 'templateSyntax', 'go', true);
  for (const key of RESOURCE_LIST_KEYS) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    for (const resource of list) if (isPlain(resource)) applyResourceDefaults(resource);
  }
  if (isPlain(spec.rollout)) {
    defaultField(spec.rollout, 'maxSkew', 0);
    defaultField(spec.rollout, 'progressDeadlineSeconds', 600, true);
  }
  return out;
}
