import { z } from 'zod';
import { API_VERSION, Kinds } from '../names.js';
import { ObjectMeta, StatusCondition, TemplateSyntax, dateTime, int32, int64 } from './common.js';
import { resourceListsShape } from './resource.js';

/** Exactly what a node applied, so cleanup never has to guess an apiVersion. */
export const AppliedResourceRef = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string().min(1),
  id: z.string(),
});
export type AppliedResourceRef = z.infer<typeof AppliedResourceRef>;

export const LynqNodeSpec = z.strictObject({
  uid: z.string().meta({ description: 'The row’s uid.' }),
  templateRef: z.string().meta({ description: 'Name of the LynqForm this node renders.' }),
  templateSyntax: TemplateSyntax.optional().meta({
    description: 'Template dialect copied from the form (Lynq for TypeScript extension).',
  }),
  ...resourceListsShape(false),
});
export type LynqNodeSpec = z.infer<typeof LynqNodeSpec>;

export const LynqNodeStatus = z.looseObject({
  observedGeneration: int64().optional(),
  readyResources: int32().optional(),
  desiredResources: int32().optional(),
  failedResources: int32().optional(),
  conflictedResources: int32().optional(),
  skippedResources: int32().optional(),
  skippedResourceIds: z.array(z.string()).optional(),
  appliedResources: z
    .array(z.string())
    .optional()
    .meta({ description: 'Applied objects as Kind/namespace/name@id.' }),
  appliedResourceRefs: z.array(AppliedResourceRef).optional(),
  conditions: z.array(StatusCondition).optional(),
  lastFullReconcileAt: dateTime('Baseline of the periodic forced re-apply.').optional(),
});
export type LynqNodeStatus = z.infer<typeof LynqNodeStatus>;

/**
 * `spec` is optional, as in Lynq's CRD (its config/samples node has `spec:` empty, which the API
 * server prunes to absent): such a node has no uid, form or resources, so nothing is rendered.
 */
export const LynqNode = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(Kinds.Node),
  metadata: ObjectMeta,
  spec: LynqNodeSpec.optional(),
  status: LynqNodeStatus.optional(),
});
export type LynqNode = z.infer<typeof LynqNode>;
export type LynqNodeInput = z.input<typeof LynqNode>;
