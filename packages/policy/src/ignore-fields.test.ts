import { describe, expect, it } from 'vitest';
import { applyIgnoreFields } from './ignore-fields.js';

function deployment(overrides: {
  replicas?: number;
  images?: string[];
  annotations?: Record<string, string>;
}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
    },
    spec: {
      ...(overrides.replicas !== undefined ? { replicas: overrides.replicas } : {}),
      template: {
        spec: {
          containers: (overrides.images ?? ['app:1']).map((image, i) => ({
            name: `c${i}`,
            image,
            ...(i === 0 ? { tier: 'active' } : {}),
          })),
        },
      },
    },
  };
}

describe('applyIgnoreFields', () => {
  it('copies a simple field from live and leaves the input untouched', () => {
    const desired = deployment({ replicas: 2 });
    const { object, fields } = applyIgnoreFields(desired, deployment({ replicas: 7 }), [
      '$.spec.replicas',
    ]);
    expect(object.spec.replicas).toBe(7);
    expect(desired.spec.replicas).toBe(2);
    expect(fields).toEqual([
      { path: '$.spec.replicas', action: 'copied', pointers: ['/spec/replicas'] },
    ]);
  });

  it('creates a simple field the template does not set', () => {
    const { object } = applyIgnoreFields(deployment({}), deployment({ replicas: 5 }), [
      '$.spec.replicas',
    ]);
    expect(object.spec.replicas).toBe(5);
  });

  it('creates missing parent objects', () => {
    const { object } = applyIgnoreFields(
      deployment({}),
      deployment({ annotations: { 'team.io/owner': 'ops' } }),
      ["$.metadata.annotations['team.io/owner']"],
    );
    expect(object.metadata.annotations).toEqual({ 'team.io/owner': 'ops' });
  });

  it('removes the field from desired when live lacks it', () => {
    const { object, fields } = applyIgnoreFields(deployment({ replicas: 3 }), deployment({}), [
      '$.spec.replicas',
    ]);
    expect('replicas' in object.spec).toBe(false);
    expect(fields[0]?.action).toBe('removed');
  });

  it('ignores paths that match nothing on either side', () => {
    const desired = deployment({});
    const { object, fields } = applyIgnoreFields(desired, deployment({}), [
      '$.spec.paused',
      '$.status.x[*].y',
    ]);
    expect(object).toEqual(desired);
    expect(fields.map((f) => f.action)).toEqual(['none', 'none']);
  });

  it('wildcards: each location keeps its own live value', () => {
    const { object } = applyIgnoreFields(
      deployment({ images: ['app:2', 'sidecar:2'] }),
      deployment({ images: ['app:1', 'sidecar:1'] }),
      ['$.spec.template.spec.containers[*].image'],
    );
    expect(object.spec.template.spec.containers.map((c) => c.image)).toEqual([
      'app:1',
      'sidecar:1',
    ]);
  });

  it('wildcards: a location live lacks gets the first live match', () => {
    const { object } = applyIgnoreFields(
      deployment({ images: ['app:2', 'sidecar:2', 'extra:2'] }),
      deployment({ images: ['app:1', 'sidecar:1'] }),
      ['$.spec.template.spec.containers[*].image'],
    );
    expect(object.spec.template.spec.containers.map((c) => c.image)).toEqual([
      'app:1',
      'sidecar:1',
      'app:1',
    ]);
  });

  it('bracket keys with dots and slashes', () => {
    const key = 'app.kubernetes.io/name';
    const { object } = applyIgnoreFields(
      deployment({ annotations: { [key]: 'desired', other: 'x' } }),
      deployment({ annotations: { [key]: 'live' } }),
      [`$.metadata.annotations['${key}']`],
    );
    expect(object.metadata.annotations).toEqual({ [key]: 'live', other: 'x' });
  });

  it('filters, including elements that lack the filtered field', () => {
    const { object } = applyIgnoreFields(
      deployment({ images: ['app:2', 'sidecar:2'] }),
      deployment({ images: ['app:1', 'sidecar:1'] }),
      ["$.spec.template.spec.containers[?(@.tier == 'active')].image"],
    );
    expect(object.spec.template.spec.containers.map((c) => c.image)).toEqual([
      'app:1',
      'sidecar:2',
    ]);
  });

  it('removes several array elements without shifting the wrong ones', () => {
    const desired = { spec: { items: [{ keep: 1 }, { drop: true }, { keep: 2 }, { drop: true }] } };
    const { object } = applyIgnoreFields(desired, { spec: { items: [] } }, [
      '$.spec.items[?(@.drop)]',
    ]);
    expect(object.spec.items).toEqual([{ keep: 1 }, { keep: 2 }]);
  });

  it('applies paths in order and skips invalid ones', () => {
    const { object, fields } = applyIgnoreFields(
      deployment({ replicas: 1 }),
      deployment({ replicas: 4 }),
      ['$.spec[', '$.spec.replicas'],
    );
    expect(object.spec.replicas).toBe(4);
    expect(fields.map((f) => f.action)).toEqual(['none', 'copied']);
  });
});
