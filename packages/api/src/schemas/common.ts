import { z } from 'zod';
import { isApiDateTime } from './date-time.js';
import { isPlainRecord, stringMap } from './string-map.js';

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

/**
 * No `minLength` on name and key, as in Lynq's CRD: the API server accepts empty strings, and
 * validateHub reports them (an empty Secret name or key can never be read).
 */
export const SecretKeyRef = z
  .strictObject({
    name: z.string().meta({ description: 'Name of a Secret in the object’s namespace.' }),
    key: z.string().meta({ description: 'Key inside the Secret.' }),
  })
  .meta({ description: 'A key of a Secret in the same namespace.' });
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;

/** A free-form object kept as written (the CRD preserves unknown fields). */
export function freeFormObject(description: string) {
  const schema = z
    .unknown()
    .transform((input, ctx) => {
      if (!isPlainRecord(input)) {
        ctx.issues.push({ code: 'invalid_type', expected: 'object', input });
        return z.NEVER;
      }
      // Every key stays an own data property, `__proto__` included (as JSON.parse makes it):
      // z.record would assign it, which replaces the prototype and loses the key.
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input))
        Object.defineProperty(out, key, {
          value: input[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    })
    .meta({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });
  // The transform is typed unknown → record; callers (and the …Input types) see the record shape.
  return schema as unknown as z.ZodType<Record<string, unknown>, Record<string, unknown>>;
}

/**
 * A condition as found on any Kubernetes object: only `type` and `status` are certain (custom
 * resources need not follow metav1.Condition). Lynq's own objects use StatusCondition.
 */
export const Condition = z.looseObject({
  type: z.string().min(1),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: int64().optional(),
});
export type Condition = z.infer<typeof Condition>;

/** metav1.Condition's `type`: CamelCase, optionally prefixed by a DNS subdomain and `/`. */
export const CONDITION_TYPE_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';
/** metav1.Condition's `reason`: a programmatic identifier, never empty. */
export const CONDITION_REASON_PATTERN = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$';

/**
 * A string with `format: date-time`, checked as the API server checks it (see isApiDateTime).
 * The pattern is kept out of the CRD: the format alone is what Kubernetes' own types declare.
 */
export function dateTime(description?: string) {
  return z
    .string()
    .refine(isApiDateTime, {
      message: 'must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z',
    })
    .meta({ format: 'date-time', ...(description === undefined ? {} : { description }) });
}

/**
 * The schema of metav1.Condition, as every Kubernetes type and Lynq's CRDs declare it: `type`,
 * `status`, `lastTransitionTime`, `reason` (non-empty) and `message` (may be empty) are required.
 */
export const StatusCondition = z
  .looseObject({
    type: z.string().max(316).regex(new RegExp(CONDITION_TYPE_PATTERN)).meta({
      description: 'Type of condition in CamelCase or in foo.example.com/CamelCase.',
      pattern: CONDITION_TYPE_PATTERN,
    }),
    status: z
      .enum(['True', 'False', 'Unknown'])
      .meta({ description: 'Status of the condition, one of True, False, Unknown.' }),
    observedGeneration: int64()
      .min(0)
      .optional()
      .meta({ description: 'The .metadata.generation the condition was set based upon.' }),
    lastTransitionTime: dateTime('When the condition last changed status.'),
    reason: z.string().min(1).max(1024).regex(new RegExp(CONDITION_REASON_PATTERN)).meta({
      description: 'CamelCase identifier of the reason for the last transition; never empty.',
      pattern: CONDITION_REASON_PATTERN,
    }),
    message: z
      .string()
      .max(32768)
      .meta({ description: 'Human-readable details about the transition; may be empty.' }),
  })
  .meta({ description: 'One aspect of the current state of this object (metav1.Condition).' });
export type StatusCondition = z.infer<typeof StatusCondition>;

/** The part of ObjectMeta that Lynq reads; everything else the API server sends is kept as is. */
export const ObjectMeta = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: stringMap('Labels of the object.').optional(),
  annotations: stringMap('Annotations of the object.').optional(),
  finalizers: z.array(z.string()).optional(),
  // The fields of metav1.OwnerReference (it has no others), apiVersion, kind, name and uid
  // required as the API server requires them: a parsed object is a KubeObject (kube-object.ts).
  ownerReferences: z
    .array(
      z.object({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        uid: z.string(),
        controller: z.boolean().optional(),
        blockOwnerDeletion: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;
