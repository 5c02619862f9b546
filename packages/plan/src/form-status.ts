// LynqForm status (reference §3.2): the Valid and Applied conditions, node counts and the
// rollout, with the progress deadline Lynq never enforced.
import {
  ConditionTypes,
  EventReasons,
  FormReasons,
  formatIssue,
  type FieldIssue,
  type LynqForm,
  type LynqFormStatus,
  type LynqNode,
} from '@lynq/api';
import {
  computeFormRolloutStatus,
  formAppliedCondition,
  rolloutNodeState,
  setConditions,
} from '@lynq/policy';
import { regardingOf, type PlanEvent } from './events.js';
import { asStatusConditions } from './status-conditions.js';

export interface FormStatusInput {
  form: LynqForm;
  /** Whether the LynqHub named by spec.hubId exists in the form's namespace. */
  hubFound: boolean;
  /**
   * Errors of validateForm(form, { checks }) with the template, graph, ignoreFields and readyWhen
   * checks the operator uses.
   */
  errors: readonly FieldIssue[];
  /** LynqNodes of the form's namespace (those with spec.templateRef == the form are counted). */
  nodes: readonly LynqNode[];
  now: Date;
  /** By node name: whether a node's workloads are settled (see planHub). */
  workloadsReady?: Readonly<Record<string, boolean>>;
}

export interface FormStatusResult {
  status: LynqFormStatus;
  /** Events to record now. */
  events: PlanEvent[];
  /** `lynqform_rollout_progress`. */
  progressPercent: number;
  /** Updated nodes not ready past the progress deadline. */
  stuckNodes: string[];
}

/** Longest condition message (metav1.Condition). */
const MAX_MESSAGE = 32768;

function clip(message: string): string {
  if (message.length <= MAX_MESSAGE) return message;
  const cut = `… (${message.length - MAX_MESSAGE + 40} more characters)`;
  return message.slice(0, MAX_MESSAGE - cut.length) + cut;
}

/**
 * The form's status and events. Valid is `ValidationPassed` or `ValidationFailed` with every
 * error (`Validation errors: [path: message; …]`), a missing hub first. Events follow the Valid
 * condition rather than every reconcile (the form is reconciled on each node change):
 * `HubNotFound`, `DuplicateResourceIDs`, `DependencyValidationFailed` and `ValidationFailed` when
 * the form becomes invalid or its errors change, `ValidationPassed` when it becomes valid.
 * Applied and rollout come from @lynq/policy (formAppliedCondition, computeFormRolloutStatus,
 * which adds the `Failed` phase past progressDeadlineSeconds).
 */
export function computeFormStatus(input: FormStatusInput): FormStatusResult {
  const { form, now } = input;
  const name = form.metadata.name ?? '';
  const namespace = form.metadata.namespace ?? '';
  const generation = form.metadata.generation ?? 0;
  const previous = form.status ?? {};
  const nodes = input.nodes.filter((n) => n.spec?.templateRef === name);
  const ready = (n: LynqNode) =>
    n.status?.conditions?.find((c) => c.type === ConditionTypes.Ready)?.status === 'True';

  const issues: FieldIssue[] = [];
  if (!input.hubFound)
    issues.push({
      path: 'spec.hubId',
      message: `Referenced LynqHub '${form.spec.hubId}' not found in namespace '${namespace}'`,
    });
  issues.push(...input.errors);
  const valid = issues.length === 0;
  const validMessage = valid
    ? 'Template validation passed'
    : clip(`Validation errors: [${issues.map(formatIssue).join('; ')}]`);

  const states = nodes.map((n) => {
    const ok = input.workloadsReady;
    const nodeName = n.metadata.name ?? '';
    return rolloutNodeState(
      n,
      ok && Object.prototype.hasOwnProperty.call(ok, nodeName) ? ok[nodeName] : undefined,
    );
  });
  const rollout = computeFormRolloutStatus({
    formGeneration: generation,
    rollout: form.spec.rollout,
    previous: previous.rollout,
    nodes: states,
    now,
  });
  const readyNodes = nodes.filter(ready).length;
  const conditions = setConditions(
    previous.conditions,
    [
      {
        type: ConditionTypes.Valid,
        status: valid ? 'True' : 'False',
        reason: valid ? FormReasons.ValidationPassed : FormReasons.ValidationFailed,
        message: validMessage,
        observedGeneration: generation,
      },
      { ...formAppliedCondition(nodes.length, readyNodes), observedGeneration: generation },
    ],
    now,
  );

  const status: LynqFormStatus = {
    ...previous,
    observedGeneration: generation,
    totalNodes: nodes.length,
    readyNodes,
    conditions: asStatusConditions(conditions),
  };
  if (rollout.rollout) status.rollout = rollout.rollout;
  else delete status.rollout;

  const events: PlanEvent[] = [];
  const regarding = regardingOf(form);
  const before = previous.conditions?.find((c) => c.type === ConditionTypes.Valid);
  if (valid) {
    if (before?.status !== 'True')
      events.push({
        type: 'Normal',
        reason: EventReasons.ValidationPassed,
        message: 'Template validation passed successfully',
        regarding,
      });
  } else if (before?.status !== 'False' || before.message !== validMessage) {
    const warn = (reason: PlanEvent['reason'], message: string) =>
      events.push({ type: 'Warning', reason, message, regarding });
    if (!input.hubFound)
      warn(
        EventReasons.HubNotFound,
        `Referenced LynqHub '${form.spec.hubId}' not found in namespace '${namespace}'`,
      );
    const dupes = input.errors.filter((e) => e.message.startsWith('duplicate resource ID'));
    if (dupes.length > 0)
      warn(
        EventReasons.DuplicateResourceIDs,
        `Found duplicate resource IDs: ${dupes.map(formatIssue).join('; ')}`,
      );
    const deps = input.errors.filter((e) => e.message.startsWith('dependency validation failed'));
    if (deps.length > 0)
      warn(
        EventReasons.DependencyValidationFailed,
        `Dependency graph validation failed: ${deps.map(formatIssue).join('; ')}`,
      );
    warn(EventReasons.ValidationFailed, `Template validation failed: ${validMessage}`);
  }
  if (rollout.event)
    events.push({
      type: 'Warning',
      reason: rollout.event.reason,
      message: rollout.event.message,
      regarding,
    });
  return {
    status,
    events,
    progressPercent: rollout.progressPercent,
    stuckNodes: rollout.stuckNodes,
  };
}
