import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appliedResourceString,
  fromAppliedRef,
  groupOf,
  objectIdentity,
  parseAppliedResource,
  resourceKey,
  toAppliedRef,
} from './resource-key.js';

const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const kind = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,15}$/);
const apiVersion = fc.oneof(
  fc.constant('v1'),
  fc.tuple(dnsName, fc.constantFrom('v1', 'v1beta1')).map(([g, v]) => `${g}.io/${v}`),
);
const key = fc
  .record({
    apiVersion,
    kind,
    name: dnsName,
    id: fc.string(),
    namespace: fc.option(dnsName, { nil: undefined }),
  })
  .map((k) => resourceKey(k));

describe('resource keys', () => {
  it('write Lynq’s Kind/namespace/name@id and read it back, ids with @ included', () => {
    expect(
      appliedResourceString(
        resourceKey({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'ns',
          name: 'web',
          id: 'a@b',
        }),
      ),
    ).toBe('Deployment/ns/web@a@b');
    expect(
      appliedResourceString(
        resourceKey({ apiVersion: 'v1', kind: 'Namespace', name: 'acme', id: 'ns' }),
      ),
    ).toBe('Namespace/acme@ns');
    expect(parseAppliedResource('Deployment/ns/web@a@b')).toEqual({
      kind: 'Deployment',
      namespace: 'ns',
      name: 'web',
      id: 'a@b',
    });
    for (const bad of ['Deployment/ns/web', 'Deployment@x', 'a/b/c/d@x', 'Deployment//web@x'])
      expect(parseAppliedResource(bad)).toBeUndefined();
    fc.assert(
      fc.property(key, (k) => {
        const { apiVersion: _v, group: _g, ...rest } = k;
        expect(parseAppliedResource(appliedResourceString(k))).toEqual(rest);
      }),
    );
  });

  it('convert to and from status.appliedResourceRefs', () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(fromAppliedRef(toAppliedRef(k))).toEqual(k);
      }),
    );
  });

  it('identify objects by group, kind, namespace and name only', () => {
    expect(groupOf('v1')).toBe('');
    expect(groupOf('apps/v1')).toBe('apps');
    const a = resourceKey({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      namespace: 'n',
      name: 'x',
      id: 'a',
    });
    const b = resourceKey({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      namespace: 'n',
      name: 'x',
      id: 'b',
    });
    expect(objectIdentity(a)).toBe(objectIdentity(b));
    expect(objectIdentity(a)).not.toBe(objectIdentity({ ...b, namespace: 'm' }));
  });
});
