import { LynqForm, applyFormDefaults, validateForm, type LynqFormInput } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { dependencyCheck } from './dependency-check.js';

type ResourceInput = { id: string; dependIds?: string[] };

function form(lists: { services?: ResourceInput[]; configMaps?: ResourceInput[] }): LynqFormInput {
  const withBody = (kind: string) => (r: ResourceInput) => ({
    ...r,
    nameTemplate: `{{ .uid }}-${r.id || 'x'}`,
    spec: { apiVersion: 'v1', kind },
  });
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      hubId: 'hub',
      ...(lists.services ? { services: lists.services.map(withBody('Service')) } : {}),
      ...(lists.configMaps ? { configMaps: lists.configMaps.map(withBody('ConfigMap')) } : {}),
    },
  };
}

function validate(input: LynqFormInput) {
  return validateForm(applyFormDefaults(input), { checks: [dependencyCheck] });
}

describe('dependencyCheck', () => {
  it('accepts a sound graph', () => {
    const result = validate(
      form({ services: [{ id: 'svc', dependIds: ['cm'] }], configMaps: [{ id: 'cm' }] }),
    );
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('reports an unknown dependency at its dependIds entry, with Lynq’s message', () => {
    const result = validate(
      form({ services: [{ id: 'a', dependIds: ['cm', 'b'] }], configMaps: [{ id: 'cm' }] }),
    );
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      {
        path: 'spec.services[0].dependIds[1]',
        message: "dependency validation failed: resource 'a' depends on non-existent resource 'b'",
      },
    ]);
  });

  it('reports a cycle across lists with its full path', () => {
    // configMaps come after services in graph order, so the cycle starts at the service.
    const result = validate(
      form({
        services: [{ id: 'a', dependIds: ['b'] }],
        configMaps: [{ id: 'b', dependIds: ['a'] }],
      }),
    );
    expect(result.errors).toEqual([
      {
        path: 'spec.services[0].dependIds[0]',
        message: 'dependency validation failed: circular dependency detected: a -> b -> a',
      },
    ]);
  });

  it('reports a self-reference', () => {
    const result = validate(
      form({ configMaps: [{ id: 'x' }, { id: 'cm', dependIds: ['x', 'cm'] }] }),
    );
    expect(result.errors).toEqual([
      {
        path: 'spec.configMaps[1].dependIds[1]',
        message: 'dependency validation failed: circular dependency detected: cm -> cm',
      },
    ]);
  });

  it('leaves empty and duplicate ids to validateForm and still checks the rest', () => {
    const result = validate(
      form({
        services: [{ id: 'a', dependIds: ['missing'] }, { id: '' }],
        configMaps: [{ id: 'a', dependIds: ['a'] }],
      }),
    );
    // validateForm's own errors once each, plus ours for the first 'a' only.
    expect(result.errors.map((e) => e.path)).toEqual([
      'spec.services[1].id',
      'spec.configMaps[0].id',
      'spec.services[0].dependIds[0]',
    ]);
    expect(result.errors[2]?.message).toBe(
      "dependency validation failed: resource 'a' depends on non-existent resource 'missing'",
    );
    const direct = LynqForm.parse(
      applyFormDefaults(form({ services: [{ id: '' }, { id: 's' }, { id: 's' }] })),
    );
    expect(dependencyCheck(direct)).toEqual({ errors: [] });
  });
});
