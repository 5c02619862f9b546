import { createHash } from 'node:crypto';
import { Annotations } from '@lynq/api';
import { canonicalJson } from './canonical-json.js';
import type { KubeObject } from './object-ref.js';

/** Annotations that describe an apply rather than the desired state, so they stay out of the hash. */
const UNHASHED_ANNOTATIONS: readonly string[] = [
  Annotations.AppliedHash,
  Annotations.ApplyStartTime,
];

/**
 * The `lynq.sh/applied-hash` of a desired object: SHA-256 over its canonical (sorted-key) JSON
 * without the applied-hash and apply-start-time annotations, first 8 bytes as 16 hex characters.
 */
export function appliedHash(desired: KubeObject): string {
  return createHash('sha256')
    .update(canonicalJson(withoutUnhashedAnnotations(desired)))
    .digest('hex')
    .slice(0, 16);
}

function withoutUnhashedAnnotations(obj: KubeObject): KubeObject {
  const annotations = obj.metadata.annotations;
  if (annotations === undefined || !UNHASHED_ANNOTATIONS.some((k) => k in annotations)) return obj;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (!UNHASHED_ANNOTATIONS.includes(key)) kept[key] = value;
  }
  const metadata = { ...obj.metadata };
  if (Object.keys(kept).length > 0) metadata.annotations = kept;
  else delete metadata.annotations;
  return { ...obj, metadata };
}
