import { API_VERSION, type LynqNode } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { nodeReadiness } from './node-readiness.js';

const node = (generation: number, status?: LynqNode['status']): LynqNode => ({
  apiVersion: API_VERSION,
  kind: 'LynqNode',
  metadata: { name: 'n', namespace: 'ns', generation },
  spec: { uid: 'n', templateRef: 'f' },
  ...(status !== undefined ? { status } : {}),
});

const ready = (status: 'True' | 'False', reason: string, message = '') => ({
  type: 'Ready',
  status,
  reason,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

describe('nodeReadiness', () => {
  it('is ready with a True Ready condition for the current generation', () => {
    const v = nodeReadiness(
      node(2, { observedGeneration: 2, conditions: [ready('True', 'Reconciled')] }),
    );
    expect(v).toMatchObject({ ready: true, reason: 'Reconciled' });
  });

  it('gives the condition reason and message when it is False', () => {
    const v = nodeReadiness(
      node(1, { conditions: [ready('False', 'ResourcesFailed', '1 of 3 failed')] }),
    );
    expect(v).toMatchObject({ ready: false, reason: 'ResourcesFailed', message: '1 of 3 failed' });
  });

  it('names what is missing: the node, the condition, a current status', () => {
    expect(nodeReadiness(undefined).reason).toBe('NotFound');
    expect(nodeReadiness(node(1)).reason).toBe('NoReadyCondition');
    expect(
      nodeReadiness(node(3, { observedGeneration: 2, conditions: [ready('True', 'Reconciled')] })),
    ).toMatchObject({ ready: false, reason: 'StaleStatus' });
  });
});
