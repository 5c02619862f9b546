import type { Condition } from '@lynq/api';
import {
  conditionsOf,
  findCondition,
  groupOf,
  isPlainObject,
  specOf,
  statusOf,
  type KubeObject,
} from './kube-object.js';

/** Whether a live object is ready, with a machine-readable reason and a sentence for people. */
export interface ReadinessVerdict {
  ready: boolean;
  reason: string;
  message: string;
}

/** Reasons of ReadinessVerdict (they appear in event messages, never as condition reasons). */
export const ReadinessReasons = {
  Ready: 'Ready',
  NotFound: 'NotFound',
  Terminating: 'Terminating',
  ObservedGenerationStale: 'ObservedGenerationStale',
  ReplicasNotReady: 'ReplicasNotReady',
  ScaledToZero: 'ScaledToZero',
  RolloutNotComplete: 'RolloutNotComplete',
  PhaseNotReached: 'PhaseNotReached',
  LoadBalancerPending: 'LoadBalancerPending',
  JobFailed: 'JobFailed',
  JobNotComplete: 'JobNotComplete',
  IngressPending: 'IngressPending',
  ConditionNotTrue: 'ConditionNotTrue',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  ReadyWhenFalse: 'ReadyWhenFalse',
  ReadyWhenError: 'ReadyWhenError',
} as const;

const R = ReadinessReasons;

function ready(message: string): ReadinessVerdict {
  return { ready: true, reason: R.Ready, message };
}

function notReady(reason: string, message: string): ReadinessVerdict {
  return { ready: false, reason, message };
}

/** A number field of `status`/`spec`, with Go's zero value when absent. */
function num(section: Record<string, unknown> | undefined, key: string, fallback = 0): number {
  const v = section?.[key];
  return typeof v === 'number' ? v : fallback;
}

function str(section: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = section?.[key];
  return typeof v === 'string' ? v : undefined;
}

function nonEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function generationVerdict(obj: KubeObject): ReadinessVerdict | undefined {
  const generation = obj.metadata?.generation ?? 0;
  const observed = num(statusOf(obj), 'observedGeneration');
  if (observed !== generation)
    return notReady(
      R.ObservedGenerationStale,
      `controller has not observed generation ${generation} yet (observedGeneration ${observed})`,
    );
  return undefined;
}

function isTrue(conditions: readonly Condition[], type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

type Rule = (obj: KubeObject) => ReadinessVerdict;

const always: Rule = (obj) => ready(`${obj.kind ?? 'object'} is ready once it exists`);

const phaseRule =
  (phase: string): Rule =>
  (obj) => {
    const current = str(statusOf(obj), 'phase');
    return current === phase
      ? ready(`phase is ${phase}`)
      : notReady(R.PhaseNotReached, `phase is ${current ?? 'unset'}, waiting for ${phase}`);
  };

const deployment: Rule = (obj) => {
  const stale = generationVerdict(obj);
  if (stale) return stale;
  const replicas = num(specOf(obj), 'replicas', 1);
  if (replicas === 0) return notReady(R.ScaledToZero, 'spec.replicas is 0');
  const s = statusOf(obj);
  const [updated, readyReplicas, available] = [
    num(s, 'updatedReplicas'),
    num(s, 'readyReplicas'),
    num(s, 'availableReplicas'),
  ];
  if (updated === replicas && readyReplicas === replicas && available === replicas)
    return ready(`${replicas}/${replicas} replicas updated, ready and available`);
  return notReady(
    R.ReplicasNotReady,
    `replicas: ${replicas} desired, ${updated} updated, ${readyReplicas} ready, ${available} available`,
  );
};

const statefulSet: Rule = (obj) => {
  const stale = generationVerdict(obj);
  if (stale) return stale;
  const replicas = num(specOf(obj), 'replicas', 1);
  if (replicas === 0) return notReady(R.ScaledToZero, 'spec.replicas is 0');
  const s = statusOf(obj);
  const [updated, readyReplicas, current] = [
    num(s, 'updatedReplicas'),
    num(s, 'readyReplicas'),
    num(s, 'currentReplicas'),
  ];
  if (updated === replicas && readyReplicas === replicas && current === replicas)
    return ready(`${replicas}/${replicas} replicas updated, ready and current`);
  return notReady(
    R.ReplicasNotReady,
    `replicas: ${replicas} desired, ${updated} updated, ${readyReplicas} ready, ${current} current`,
  );
};

const daemonSet: Rule = (obj) => {
  const stale = generationVerdict(obj);
  if (stale) return stale;
  const s = statusOf(obj);
  const desired = num(s, 'desiredNumberScheduled');
  if (desired <= 0)
    return notReady(
      R.ReplicasNotReady,
      'no node is scheduled to run it (desiredNumberScheduled 0)',
    );
  const counts = {
    current: num(s, 'currentNumberScheduled'),
    updated: num(s, 'updatedNumberScheduled'),
    ready: num(s, 'numberReady'),
    available: num(s, 'numberAvailable'),
  };
  if (Object.values(counts).every((n) => n === desired))
    return ready(`${desired}/${desired} pods scheduled, updated, ready and available`);
  return notReady(
    R.ReplicasNotReady,
    `pods: ${desired} desired, ${counts.current} scheduled, ${counts.updated} updated, ${counts.ready} ready, ${counts.available} available`,
  );
};

const service: Rule = (obj) => {
  if (str(specOf(obj), 'type') !== 'LoadBalancer') return ready('Service is ready once it exists');
  const lb = statusOf(obj)?.['loadBalancer'];
  return isPlainObject(lb) && nonEmptyList(lb.ingress)
    ? ready('load balancer has an ingress address')
    : notReady(R.LoadBalancerPending, 'waiting for the load balancer to get an ingress address');
};

const job: Rule = (obj) => {
  const conditions = conditionsOf(obj);
  if (isTrue(conditions, 'Complete')) return ready('Job completed');
  if (isTrue(conditions, 'Failed')) {
    const failed = findCondition(conditions, 'Failed');
    return notReady(R.JobFailed, `Job failed${failed?.message ? `: ${failed.message}` : ''}`);
  }
  const succeeded = num(statusOf(obj), 'succeeded');
  return succeeded > 0
    ? ready(`${succeeded} pod(s) succeeded`)
    : notReady(R.JobNotComplete, 'waiting for the Job to complete');
};

const ingress: Rule = (obj) => {
  const lb = statusOf(obj)?.['loadBalancer'];
  if (isPlainObject(lb) && nonEmptyList(lb.ingress))
    return ready('load balancer has an ingress address');
  if (nonEmptyList(specOf(obj)?.['rules'])) return ready('Ingress has rules');
  return notReady(R.IngressPending, 'no load balancer address and no rules');
};

const hpa: Rule = (obj) =>
  isTrue(conditionsOf(obj), 'AbleToScale')
    ? ready('AbleToScale is True')
    : notReady(R.ConditionNotTrue, 'waiting for condition AbleToScale=True');

/** Built-in kinds, keyed by `group/Kind` (core group: `/Kind`). Reference §3.7. */
const RULES: ReadonlyMap<string, Rule> = new Map([
  ['/Namespace', phaseRule('Active')],
  ['/ConfigMap', always],
  ['/Secret', always],
  ['/ServiceAccount', always],
  ['batch/CronJob', always],
  ['policy/PodDisruptionBudget', always],
  ['networking.k8s.io/NetworkPolicy', always],
  ['/Service', service],
  ['apps/Deployment', deployment],
  ['apps/StatefulSet', statefulSet],
  ['apps/DaemonSet', daemonSet],
  ['batch/Job', job],
  ['networking.k8s.io/Ingress', ingress],
  ['/PersistentVolumeClaim', phaseRule('Bound')],
  ['autoscaling/HorizontalPodAutoscaler', hpa],
]);

/**
 * Any other kind (custom resources), in the manner of kstatus: a stale observedGeneration, a
 * `Reconciling=True` or `Stalled=True` condition means not ready; then `Ready`, else `Available`,
 * decides when present; an object with neither (or without conditions) is ready.
 * Lynq (Go) treats an object whose conditions lack `Ready` as never ready; a `readyWhen`
 * expression is the way to state anything more specific.
 */
const generic: Rule = (obj) => {
  const generation = obj.metadata?.generation;
  const observed = statusOf(obj)?.['observedGeneration'];
  if (typeof generation === 'number' && typeof observed === 'number' && observed !== generation)
    return notReady(
      R.ObservedGenerationStale,
      `controller has not observed generation ${generation} yet (observedGeneration ${observed})`,
    );
  const conditions = conditionsOf(obj);
  for (const [type, reason] of [
    ['Reconciling', R.Reconciling],
    ['Stalled', R.Stalled],
  ] as const) {
    const c = findCondition(conditions, type);
    if (c?.status === 'True')
      return notReady(reason, `${type}=True${c.message ? `: ${c.message}` : ''}`);
  }
  for (const type of ['Ready', 'Available']) {
    const c = findCondition(conditions, type);
    if (c === undefined) continue;
    return c.status === 'True'
      ? ready(`${type}=True`)
      : notReady(
          R.ConditionNotTrue,
          `${type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
        );
  }
  return ready(
    conditions.length === 0
      ? 'no status conditions to wait for'
      : 'no Ready or Available condition',
  );
};

/**
 * Readiness of a live object by kind (reference §3.7), or by the generic rules for other kinds.
 * An object being deleted is never ready; a missing object is not ready.
 */
export function checkReadiness(obj: KubeObject | undefined): ReadinessVerdict {
  if (obj === undefined) return notReady(R.NotFound, 'object does not exist');
  if (obj.metadata?.deletionTimestamp) return notReady(R.Terminating, 'object is being deleted');
  const rule = RULES.get(`${groupOf(obj.apiVersion)}/${obj.kind ?? ''}`) ?? generic;
  return rule(obj);
}

/**
 * Stricter readiness of a workload for rollout pacing (reference §3.6 (d)): besides
 * checkReadiness, a Deployment's `Progressing` condition, when present, must be True with reason
 * NewReplicaSetAvailable (its rollout finished), and replicas must be > 0 for every workload.
 * Other kinds fall back to checkReadiness.
 */
export function checkRolloutReadiness(obj: KubeObject | undefined): ReadinessVerdict {
  const verdict = checkReadiness(obj);
  if (!verdict.ready || obj === undefined) return verdict;
  if (obj.kind === 'Deployment' && groupOf(obj.apiVersion) === 'apps') {
    const progressing = findCondition(conditionsOf(obj), 'Progressing');
    if (
      progressing &&
      (progressing.status !== 'True' || progressing.reason !== 'NewReplicaSetAvailable')
    )
      return notReady(
        R.RolloutNotComplete,
        `Progressing=${progressing.status} (${progressing.reason ?? 'no reason'}), waiting for NewReplicaSetAvailable`,
      );
  }
  return verdict;
}
