import { createHash } from 'node:crypto';
import { Annotations } from '@lynq/api';
import { goJson } from './go-json.js';
import type { KubeObject } from './object-ref.js';

/** Annotations that describe an apply rather than the desired state, so they stay out of the hash. */
const UNHASHED_ANNOTATIONS: readonly string[] = [
  Annotations.AppliedHash,
  Annotations.ApplyStartTime,
];

/**
 * The `lynq.sh/applied-hash` of a desired object, as the Go operator computes it (reference §5.4):
 * SHA-256 over Go's `encoding/json` Marshal of the object without the applied-hash and
 * apply-start-time annotations (the annotations map dropped when that empties it, kept when it
 * was empty already), first 8 bytes as 16 hex characters. `goJson` writes Go's bytes, so an
 * object the Go operator applied keeps its hash here and is not written again on takeover (see
 * go-json.ts for the few values where that cannot hold; they cost one write).
 */
export function appliedHash(desired: KubeObject): string {
  return createHash('sha256').update(hashedJson(desired)).digest('hex').slice(0, 16);
}

/** The text appliedHash hashes (for diagnostics and the differential test). */
export function hashedJson(desired: KubeObject): string {
  return goJson(withoutUnhashedAnnotations(desired));
}

function withoutUnhashedAnnotations(obj: KubeObject): KubeObject {
  const annotations = obj.metadata.annotations;
  if (annotations === undefined || !UNHASHED_ANNOTATIONS.some((k) => Object.hasOwn(annotations, k)))
    return obj;
  // No prototype: an annotation named __proto__ stays an ordinary key.
  const kept = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(annotations)) {
    if (!UNHASHED_ANNOTATIONS.includes(key)) kept[key] = value;
  }
  const metadata = { ...obj.metadata };
  if (Object.keys(kept).length > 0) metadata.annotations = kept;
  else delete metadata.annotations;
  return { ...obj, metadata };
}
