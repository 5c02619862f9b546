// Hubs, forms, rows and nodes for the tests, parsed and defaulted as the API server serves them.
import {
  assertParsed,
  parseForm,
  parseHub,
  parseNode,
  type LynqForm,
  type LynqFormInput,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import { desiredNodes } from '../desired-nodes.js';
import { planHub, type HubPlan, type PlanHubInput } from '../plan-hub.js';
import { renderDesiredNodes } from '../render-desired.js';
import type { PlanRow } from '../rows.js';

export const NOW = new Date('2026-07-01T12:00:00Z');
export const LATER = new Date('2026-07-01T12:05:00Z');

export function hub(
  overrides: Partial<LynqHub['spec']> = {},
  meta: Partial<LynqHub['metadata']> = {},
): LynqHub {
  return assertParsed(
    parseHub({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqHub',
      metadata: { name: 'tenants', namespace: 'apps', uid: 'hub-uid-1', generation: 1, ...meta },
      spec: {
        source: {
          type: 'mysql',
          mysql: { host: 'db', username: 'lynq', database: 'app', table: 'tenants' },
        },
        valueMappings: { uid: 'id', activate: 'active' },
        extraValueMappings: { plan: 'plan_id' },
        ...overrides,
      },
    }),
  );
}

export function form(
  name: string,
  spec: Partial<LynqFormInput['spec']> = {},
  meta: Partial<LynqForm['metadata']> = {},
): LynqForm {
  return assertParsed(
    parseForm({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name, namespace: 'apps', generation: 1, ...meta },
      spec: {
        hubId: 'tenants',
        deployments: [
          {
            id: 'app',
            nameTemplate: '{{ .uid }}-app',
            labelsTemplate: { plan: '{{ .plan }}', tier: 'web' },
            annotationsTemplate: { 'lynq.sh/row': '{{ .uid }}' },
            targetNamespace: '{{ .uid }}-ns',
            spec: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              spec: { replicas: '{{ .plan | int }}' },
            },
          },
        ],
        configMaps: [
          {
            id: 'config',
            nameTemplate: '{{ .uid }}-config',
            spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { uid: '{{ .uid }}' } },
          },
        ],
        ...spec,
      },
    }),
  );
}

export function row(
  uid: string,
  extras: Record<string, string> = { plan: '1' },
  activate = '1',
): PlanRow {
  return {
    uid,
    activate,
    active: ['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'Yes'].includes(activate),
    extras,
  };
}

/** Plans a sync, rendering the hub-level templates in process. */
export function plan(input: Omit<PlanHubInput, 'rendered' | 'now'> & { now?: Date }): HubPlan {
  const rendered =
    input.fetch.ok === true
      ? renderDesiredNodes(desiredNodes(input.hub, input.forms, input.fetch))
      : new Map();
  return planHub({ ...input, rendered, now: input.now ?? NOW });
}

/** A node as the API server returns it after the hub created it. */
export function stored(node: unknown, extra: { uid?: string; ready?: boolean } = {}): LynqNode {
  const n = structuredClone(node) as LynqNode;
  n.metadata.uid = extra.uid ?? `uid-${n.metadata.name ?? ''}`;
  n.metadata.generation = 1;
  n.metadata.resourceVersion = '100';
  n.metadata.creationTimestamp = '2026-07-01T11:00:00Z';
  if (extra.ready !== undefined)
    n.status = {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: extra.ready ? 'True' : 'False',
          reason: extra.ready ? 'Reconciled' : 'NotAllResourcesReady',
          message: '',
          lastTransitionTime: '2026-07-01T11:00:00Z',
        },
      ],
    };
  return assertParsed(parseNode(n));
}
