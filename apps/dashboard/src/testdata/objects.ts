// Lynq objects as the API server returns them, for the dashboard's unit tests.
import type { LynqForm, LynqHub, LynqNode } from '@lynq/api';
import type { KubeEvent } from '../summaries.js';

export function hub(name: string, ready: boolean, extra: Partial<LynqHub['status']> = {}): LynqHub {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1 },
    spec: {
      source: {
        type: 'mysql',
        syncInterval: '30s',
        mysql: {
          host: 'db',
          port: 3306,
          username: 'reader',
          passwordRef: { name: 'db-secret', key: 'password' },
          database: 'test',
          table: 'nodes',
        },
      },
      valueMappings: { uid: 'id', activate: 'active' },
      extraValueMappings: { plan: 'plan' },
    },
    status: {
      desired: 3,
      ready: ready ? 3 : 1,
      failed: ready ? 0 : 2,
      referencingTemplates: 1,
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'DatabaseConnected' : 'DatabaseConnectionFailed',
          message: ready ? 'connected' : 'connect ECONNREFUSED',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      ...extra,
    },
  } as unknown as LynqHub;
}

export function form(name: string, hubId: string): LynqForm {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 2 },
    spec: {
      hubId,
      templateSyntax: 'go',
      configMaps: [
        { id: 'config', spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } } },
      ],
      secrets: [
        {
          id: 'creds',
          spec: { apiVersion: 'v1', kind: 'Secret', stringData: { password: 'hunter2' } },
        },
      ],
      deployments: [
        {
          id: 'app',
          dependIds: ['config', 'creds'],
          deletionPolicy: 'Retain',
          spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
        },
      ],
    },
    status: {
      totalNodes: 2,
      readyNodes: 1,
      conditions: [
        { type: 'Valid', status: 'True', reason: 'ValidationPassed', message: 'ok' },
        { type: 'Ready', status: 'False', reason: 'NotAllNodesReady', message: '1/2 ready' },
      ],
      rollout: {
        phase: 'InProgress',
        totalNodes: 2,
        updatedNodes: 1,
        updatingNodes: 1,
        readyUpdatedNodes: 1,
      },
    },
  } as unknown as LynqForm;
}

type NodeState = 'ready' | 'failed' | 'pending' | 'skipped';

export function node(name: string, formName: string, state: NodeState): LynqNode {
  const f = form(formName, 'hub');
  const conditions = {
    ready: [
      { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'All 3 resources are ready' },
    ],
    skipped: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'NotAllResourcesReady',
        message: 'Not all resources are ready: 2/3 ready',
      },
    ],
    pending: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'NotAllResourcesReady',
        message: 'Not all resources are ready: 1/3 ready',
      },
    ],
    failed: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ResourcesFailed',
        message: '1 resources failed',
        lastTransitionTime: '2026-01-01T00:10:00Z',
      },
      {
        type: 'Degraded',
        status: 'True',
        reason: 'ResourceFailures',
        message: 'LynqNode has 1 failed resources',
      },
    ],
  }[state];
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqNode',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      generation: 1,
      labels: { 'lynq.sh/hub': 'hub', 'lynq.sh/uid': name },
    },
    spec: {
      uid: name,
      templateRef: formName,
      configMaps: f.spec.configMaps,
      secrets: f.spec.secrets,
      deployments: f.spec.deployments,
    },
    status: {
      readyResources: state === 'ready' ? 3 : 1,
      desiredResources: 3,
      failedResources: state === 'failed' ? 1 : 0,
      skippedResources: state === 'skipped' ? 1 : 0,
      skippedResourceIds: state === 'skipped' ? ['app'] : [],
      appliedResourceRefs: [
        {
          id: 'config',
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'ns',
          name: `${name}-config`,
        },
      ],
      conditions,
    },
  } as unknown as LynqNode;
}

export function event(
  nodeName: string,
  reason: string,
  message: string,
  at: string,
  type = 'Warning',
): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${nodeName}.${reason}.${at}`, namespace: 'ns' },
    involvedObject: { kind: 'LynqNode', namespace: 'ns', name: nodeName },
    reason,
    message,
    type,
    count: 1,
    lastTimestamp: at,
  };
}
