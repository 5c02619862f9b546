// Secret values never reach the terminal or a CI log. `plan --cluster` and `diff` compare live
// objects read from the cluster with what would be applied, field by field; for a Secret those
// fields are its values (the live ones included, which the user may not otherwise see). Like
// `kubectl diff`, the values are masked and the keys kept: the plan still says which key changes.
// kubectl's last-applied annotation holds a whole copy of an object, so it is masked on any kind.
import type { FieldChange } from '@lynq/plan';

const MASK = '[redacted]';
const MASK_BEFORE = '[redacted: old value]';
const MASK_AFTER = '[redacted: new value]';
const SECRET_FIELDS = ['data', 'stringData'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const LAST_APPLIED_PATH = `metadata.annotations['${LAST_APPLIED}']`;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function maskMap(values: unknown, mask: string): unknown {
  return isRecord(values) ? Object.fromEntries(Object.keys(values).map((k) => [k, mask])) : mask;
}

/** A copy of an object (a whole manifest) with Secret values and last-applied masked. */
export function maskObject<T>(obj: T, kind: string | undefined, mask = MASK): T {
  if (!isRecord(obj)) return obj;
  const out: Record<string, unknown> = { ...obj };
  if ((kind ?? out['kind']) === 'Secret')
    for (const f of SECRET_FIELDS) if (f in out) out[f] = maskMap(out[f], mask);
  const metadata = out['metadata'];
  if (isRecord(metadata)) out['metadata'] = maskAt('metadata', metadata, kind, mask);
  return out as T;
}

/** `value` found at `path` of an object of `kind`, masked where it is or holds a secret value. */
function maskAt(path: string, value: unknown, kind: string | undefined, mask: string): unknown {
  if (path === '') return maskObject(value, kind, mask);
  if (path === LAST_APPLIED_PATH || path.startsWith(`${LAST_APPLIED_PATH}.`)) return mask;
  if (path === 'metadata' && isRecord(value) && isRecord(value['annotations']))
    return {
      ...value,
      annotations: maskAt('metadata.annotations', value['annotations'], kind, mask),
    };
  if (path === 'metadata.annotations' && isRecord(value) && LAST_APPLIED in value)
    return { ...value, [LAST_APPLIED]: mask };
  if (kind !== 'Secret') return value;
  for (const f of SECRET_FIELDS) {
    if (path === f) return maskMap(value, mask);
    if (path.startsWith(`${f}.`) || path.startsWith(`${f}[`)) return mask;
  }
  return value;
}

/** The changes of an object of `kind` with every secret value masked (paths and ops kept). */
export function maskChanges(
  kind: string | undefined,
  changes: readonly FieldChange[],
): FieldChange[] {
  return changes.map((c) => {
    const out: FieldChange = { ...c };
    if ('before' in c)
      out.before = maskAt(c.path, c.before, kind, c.op === 'change' ? MASK_BEFORE : MASK);
    if ('after' in c)
      out.after = maskAt(c.path, c.after, kind, c.op === 'change' ? MASK_AFTER : MASK);
    return out;
  });
}
