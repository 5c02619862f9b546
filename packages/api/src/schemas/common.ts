import { z } from 'zod';

/** A 32-bit integer, shown as `format: int32` in the CRD. */
export function int32() {
  return z.int32().meta({ format: 'int32' });
}

/** A 64-bit integer (generations), shown as `format: int64` in the CRD. */
export function int64() {
  return z.int().meta({ format: 'int64' });
}

export const DeletionPolicy = z.enum(['Delete', 'Retain']);
export type DeletionPolicy = z.infer<typeof DeletionPolicy>;

export const ConflictPolicy = z.enum(['Force', 'Stuck']);
export type ConflictPolicy = z.infer<typeof ConflictPolicy>;

export const CreationPolicy = z.enum(['Once', 'WhenNeeded']);
export type CreationPolicy = z.infer<typeof CreationPolicy>;

export const PatchStrategy = z.enum(['apply', 'merge', 'replace']);
export type PatchStrategy = z.infer<typeof PatchStrategy>;

export const TemplateSyntax = z.enum(['go', 'nunjucks']);
export type TemplateSyntax = z.infer<typeof TemplateSyntax>;

export const SecretKeyRef = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'Name of a Secret in the object’s namespace.' }),
    key: z.string().min(1).meta({ description: 'Key inside the Secret.' }),
  })
  .meta({ description: 'A key of a Secret in the same namespace.' });
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

/** A free-form object kept as written (the CRD preserves unknown fields). */
export function freeFormObject(description: string) {
  return z
    .record(z.string(), z.unknown())
    .meta({ description, 'x-kubernetes-preserve-unknown-fields': true });
}

export const Condition = z.looseObject({
  type: z.string().min(1),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: int64().optional(),
});
export type Condition = z.infer<typeof Condition>;

/** The part of ObjectMeta that Lynq reads; everything else the API server sends is kept as is. */
export const ObjectMeta = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;
