import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.js';
import { checkReadiness, checkRolloutReadiness } from './readiness.js';

function obj(
  apiVersion: string,
  kind: string,
  rest: Partial<KubeObject> = {},
  generation = 1,
): KubeObject {
  return {
    apiVersion,
    kind,
    ...rest,
    metadata: { name: 'x', namespace: 'ns', generation, ...rest.metadata },
  };
}

const deploymentStatus = (n: number, over: Record<string, unknown> = {}) => ({
  observedGeneration: 1,
  replicas: n,
  updatedReplicas: n,
  readyReplicas: n,
  availableReplicas: n,
  ...over,
});

const cases: { name: string; object: KubeObject; ready: boolean; reason: string }[] = [
  // Namespace
  {
    name: 'Namespace Active',
    object: obj('v1', 'Namespace', { status: { phase: 'Active' } }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Namespace without phase',
    object: obj('v1', 'Namespace'),
    ready: false,
    reason: 'PhaseNotReached',
  },
  // Immediately ready kinds
  ...(
    [
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['v1', 'ServiceAccount'],
      ['batch/v1', 'CronJob'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
    ] as const
  ).map(([v, k]) => ({ name: `${k} exists`, object: obj(v, k), ready: true, reason: 'Ready' })),
  // Service
  {
    name: 'Service ClusterIP',
    object: obj('v1', 'Service', { spec: { type: 'ClusterIP' } }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Service LoadBalancer with ingress',
    object: obj('v1', 'Service', {
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Service LoadBalancer pending',
    object: obj('v1', 'Service', { spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }),
    ready: false,
    reason: 'LoadBalancerPending',
  },
  // Deployment
  {
    name: 'Deployment all replicas ready',
    object: obj('apps/v1', 'Deployment', { spec: { replicas: 3 }, status: deploymentStatus(3) }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Deployment replicas defaults to 1',
    object: obj('apps/v1', 'Deployment', { spec: {}, status: deploymentStatus(1) }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Deployment stale observedGeneration',
    object: obj('apps/v1', 'Deployment', { spec: { replicas: 1 }, status: deploymentStatus(1) }, 2),
    ready: false,
    reason: 'ObservedGenerationStale',
  },
  {
    name: 'Deployment one replica unavailable',
    object: obj('apps/v1', 'Deployment', {
      spec: { replicas: 3 },
      status: deploymentStatus(3, { availableReplicas: 2 }),
    }),
    ready: false,
    reason: 'ReplicasNotReady',
  },
  {
    name: 'Deployment scaled to 0',
    object: obj('apps/v1', 'Deployment', {
      spec: { replicas: 0 },
      status: { observedGeneration: 1 },
    }),
    ready: false,
    reason: 'ScaledToZero',
  },
  {
    name: 'Deployment without status',
    object: obj('apps/v1', 'Deployment', { spec: { replicas: 1 } }),
    ready: false,
    reason: 'ObservedGenerationStale',
  },
  // StatefulSet
  {
    name: 'StatefulSet ready',
    object: obj('apps/v1', 'StatefulSet', {
      spec: { replicas: 2 },
      status: { observedGeneration: 1, updatedReplicas: 2, readyReplicas: 2, currentReplicas: 2 },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'StatefulSet current behind',
    object: obj('apps/v1', 'StatefulSet', {
      spec: { replicas: 2 },
      status: { observedGeneration: 1, updatedReplicas: 2, readyReplicas: 2, currentReplicas: 1 },
    }),
    ready: false,
    reason: 'ReplicasNotReady',
  },
  // DaemonSet
  {
    name: 'DaemonSet ready',
    object: obj('apps/v1', 'DaemonSet', {
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 3,
        numberAvailable: 3,
      },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'DaemonSet with nothing scheduled',
    object: obj('apps/v1', 'DaemonSet', {
      status: { observedGeneration: 1, desiredNumberScheduled: 0 },
    }),
    ready: false,
    reason: 'ReplicasNotReady',
  },
  {
    name: 'DaemonSet one pod not ready',
    object: obj('apps/v1', 'DaemonSet', {
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 2,
        numberAvailable: 3,
      },
    }),
    ready: false,
    reason: 'ReplicasNotReady',
  },
  // Job
  {
    name: 'Job Complete',
    object: obj('batch/v1', 'Job', {
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Job Failed (even with a success)',
    object: obj('batch/v1', 'Job', {
      status: {
        succeeded: 1,
        conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }],
      },
    }),
    ready: false,
    reason: 'JobFailed',
  },
  {
    name: 'Job succeeded > 0',
    object: obj('batch/v1', 'Job', { status: { succeeded: 1 } }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Job running',
    object: obj('batch/v1', 'Job', { status: { active: 1 } }),
    ready: false,
    reason: 'JobNotComplete',
  },
  // Ingress
  {
    name: 'Ingress with load balancer',
    object: obj('networking.k8s.io/v1', 'Ingress', {
      status: { loadBalancer: { ingress: [{ hostname: 'lb' }] } },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Ingress with rules',
    object: obj('networking.k8s.io/v1', 'Ingress', {
      spec: { rules: [{ host: 'a.example.com' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'Ingress without rules or address',
    object: obj('networking.k8s.io/v1', 'Ingress', { spec: { defaultBackend: {} } }),
    ready: false,
    reason: 'IngressPending',
  },
  // PVC
  {
    name: 'PVC Bound',
    object: obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Bound' } }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'PVC Pending',
    object: obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Pending' } }),
    ready: false,
    reason: 'PhaseNotReached',
  },
  // HPA
  {
    name: 'HPA AbleToScale',
    object: obj('autoscaling/v2', 'HorizontalPodAutoscaler', {
      status: { conditions: [{ type: 'AbleToScale', status: 'True' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'HPA not able to scale',
    object: obj('autoscaling/v2', 'HorizontalPodAutoscaler', {
      status: { conditions: [{ type: 'AbleToScale', status: 'False' }] },
    }),
    ready: false,
    reason: 'ConditionNotTrue',
  },
  // Generic (custom resources)
  {
    name: 'CR without status',
    object: obj('example.com/v1', 'Widget'),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'CR Ready=True',
    object: obj('example.com/v1', 'Widget', {
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'CR Ready=False',
    object: obj('example.com/v1', 'Widget', {
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning' }] },
    }),
    ready: false,
    reason: 'ConditionNotTrue',
  },
  {
    name: 'CR Available=True without Ready',
    object: obj('example.com/v1', 'Widget', {
      status: { conditions: [{ type: 'Available', status: 'True' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'CR Available=False',
    object: obj('example.com/v1', 'Widget', {
      status: { conditions: [{ type: 'Available', status: 'False' }] },
    }),
    ready: false,
    reason: 'ConditionNotTrue',
  },
  {
    name: 'CR stale observedGeneration',
    object: obj(
      'example.com/v1',
      'Widget',
      { status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] } },
      2,
    ),
    ready: false,
    reason: 'ObservedGenerationStale',
  },
  {
    name: 'CR Reconciling=True',
    object: obj('example.com/v1', 'Widget', {
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Reconciling', status: 'True' },
        ],
      },
    }),
    ready: false,
    reason: 'Reconciling',
  },
  {
    name: 'CR Stalled=True',
    object: obj('example.com/v1', 'Widget', {
      status: { conditions: [{ type: 'Stalled', status: 'True' }] },
    }),
    ready: false,
    reason: 'Stalled',
  },
  {
    name: 'CR with unrelated conditions only',
    object: obj('example.com/v1', 'Widget', {
      status: { conditions: [{ type: 'Synced', status: 'True' }] },
    }),
    ready: true,
    reason: 'Ready',
  },
  {
    name: 'a "Deployment" of another group uses the generic rules',
    object: obj('example.com/v1', 'Deployment', { spec: { replicas: 3 } }),
    ready: true,
    reason: 'Ready',
  },
  // Any kind
  {
    name: 'object being deleted',
    object: obj('v1', 'ConfigMap', { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }),
    ready: false,
    reason: 'Terminating',
  },
];

describe('checkReadiness', () => {
  it.each(cases)('$name → ready=$ready ($reason)', ({ object, ready, reason }) => {
    const verdict = checkReadiness(object);
    expect({ ready: verdict.ready, reason: verdict.reason }).toEqual({ ready, reason });
    expect(verdict.message).not.toBe('');
  });

  it('a missing object is not ready', () => {
    expect(checkReadiness(undefined)).toMatchObject({ ready: false, reason: 'NotFound' });
  });

  it('messages say what is missing', () => {
    const verdict = checkReadiness(
      obj('apps/v1', 'Deployment', {
        spec: { replicas: 3 },
        status: deploymentStatus(3, { readyReplicas: 1 }),
      }),
    );
    expect(verdict.message).toBe('replicas: 3 desired, 3 updated, 1 ready, 3 available');
  });
});

describe('checkRolloutReadiness', () => {
  const ready = (conditions: unknown[]) =>
    obj('apps/v1', 'Deployment', {
      spec: { replicas: 1 },
      status: { ...deploymentStatus(1), conditions },
    });

  it.each([
    { name: 'no Progressing condition', conditions: [], expected: true },
    {
      name: 'Progressing True NewReplicaSetAvailable',
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      expected: true,
    },
    {
      name: 'Progressing True ReplicaSetUpdated',
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }],
      expected: false,
    },
    {
      name: 'Progressing False ProgressDeadlineExceeded',
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      expected: false,
    },
  ])('Deployment with $name → $expected', ({ conditions, expected }) => {
    expect(checkRolloutReadiness(ready(conditions)).ready).toBe(expected);
  });

  it('is checkReadiness for other kinds and unready objects', () => {
    expect(checkRolloutReadiness(obj('v1', 'ConfigMap')).ready).toBe(true);
    expect(
      checkRolloutReadiness(obj('apps/v1', 'Deployment', { spec: { replicas: 1 } })).reason,
    ).toBe('ObservedGenerationStale');
  });
});
