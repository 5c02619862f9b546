import { applyFormDefaults, validateForm } from '@lynq/api';
import { expect, it } from 'vitest';
import {
  applyIgnoreFields,
  checkDeletionGuard,
  checkReadiness,
  compileReadyWhen,
  decideOwnership,
  ignoreFieldsCheck,
  planFormRollout,
  policyFormChecks,
  readyWhenCheck,
} from './index.js';

it('runs the README example', () => {
  const ownership = decideOwnership({
    deletionPolicy: 'Delete',
    node: { name: 'acme-web', namespace: 'tenants', uid: '6f1c' },
    targetNamespace: 'tenants',
    namespaced: true,
  });
  expect(ownership.mode).toBe('ownerReference');

  const desired = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1 },
  };
  const live = { ...desired, spec: { replicas: 4 } };
  expect(applyIgnoreFields(desired, live, ['$.spec.replicas']).object.spec.replicas).toBe(4);

  expect(
    checkReadiness({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Pending' },
    }),
  ).toEqual({
    ready: false,
    reason: 'PhaseNotReached',
    message: 'phase is Pending, waiting for Bound',
  });
  const compiled = compileReadyWhen(["self.status.phase == 'Ready'"]);
  expect(compiled.ok && compiled.readyWhen.evaluate({ status: { phase: 'Ready' } }).ready).toBe(
    true,
  );

  const plan = planFormRollout({
    formName: 'web',
    formGeneration: 2,
    maxSkew: 1,
    nodes: [],
    changes: [
      { nodeName: 'a-web', action: 'update' },
      { nodeName: 'b-web', action: 'update' },
    ],
    now: new Date(),
  });
  expect(plan.allowed).toEqual([{ nodeName: 'a-web', action: 'update' }]);
  expect(plan.throttled).toEqual([{ nodeName: 'b-web', action: 'update' }]);

  expect(
    checkDeletionGuard({
      hub: { metadata: { generation: 3 }, spec: {} },
      currentNodes: 20,
      deletions: 11,
    }).allowed,
  ).toBe(false);

  const form = applyFormDefaults({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      hubId: 'hub',
      deployments: [
        {
          id: 'app',
          nameTemplate: 'app',
          ignoreFields: ['$.spec.replicas'],
          readyWhen: ['self.status.readyReplicas >= 1'],
          spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
        },
      ],
    },
  });
  expect(validateForm(form, { checks: [ignoreFieldsCheck, readyWhenCheck] }).errors).toEqual([]);
  expect(policyFormChecks).toEqual([ignoreFieldsCheck, readyWhenCheck]);
});
