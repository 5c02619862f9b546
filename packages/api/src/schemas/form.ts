import { z } from 'zod';
import { API_VERSION, Kinds } from '../names.js';
import { ObjectMeta, StatusCondition, TemplateSyntax, dateTime, int32, int64 } from './common.js';
import { resourceListsShape } from './resource.js';

export const RolloutPhase = z.enum(['Idle', 'InProgress', 'Failed', 'Complete']);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

export const RolloutConfig = z.strictObject({
  maxSkew: int32()
    .min(0)
    .default(0)
    .meta({ description: 'Nodes updating at once; 0 means no limit.' }),
  progressDeadlineSeconds: int32()
    .min(60)
    .max(3600)
    .default(600)
    .meta({ description: 'A rollout without progress for this long is marked Failed.' }),
});
export type RolloutConfig = z.infer<typeof RolloutConfig>;

export const LynqFormSpec = z.strictObject({
  hubId: z.string().meta({
    description: 'Name of the LynqHub (same namespace) whose rows this form renders. Immutable.',
    'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'hubId is immutable' }],
  }),
  templateSyntax: TemplateSyntax.default('go').meta({
    description: 'Template dialect: go (text/template + Sprig, Lynq’s) or nunjucks.',
  }),
  ...resourceListsShape(true),
  rollout: RolloutConfig.optional(),
});
export type LynqFormSpec = z.infer<typeof LynqFormSpec>;

export const RolloutStatus = z.looseObject({
  phase: RolloutPhase.optional(),
  targetGeneration: int64().optional(),
  totalNodes: int32().optional(),
  updatedNodes: int32().optional(),
  updatingNodes: int32().optional(),
  readyUpdatedNodes: int32().optional(),
  startTime: dateTime('When the rollout started.').optional(),
  completionTime: dateTime('When the rollout completed.').optional(),
  message: z.string().optional(),
});
export type RolloutStatus = z.infer<typeof RolloutStatus>;

export const LynqFormStatus = z.looseObject({
  observedGeneration: int64().optional(),
  totalNodes: int32().optional(),
  readyNodes: int32().optional(),
  conditions: z.array(StatusCondition).optional(),
  rollout: RolloutStatus.optional(),
});
export type LynqFormStatus = z.infer<typeof LynqFormStatus>;

export const LynqForm = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(Kinds.Form),
  metadata: ObjectMeta,
  spec: LynqFormSpec,
  status: LynqFormStatus.optional(),
});
export type LynqForm = z.infer<typeof LynqForm>;
export type LynqFormInput = z.input<typeof LynqForm>;
