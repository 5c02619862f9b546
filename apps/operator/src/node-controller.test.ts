import { ApiError, ConflictError } from '@lynq/apply';
import { describe, expect, it } from 'vitest';
import { deniedAccess } from './node-controller.js';

const ref = { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'tenants', name: 'acme' };
const path = '/apis/example.com/v1/namespaces/tenants/widgets/acme';

/** A 403 as kube-apiserver's RBAC authorizer words it. */
const forbidden = new ApiError({
  status: 403,
  method: 'GET',
  path,
  object: ref,
  body: {
    kind: 'Status',
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    message:
      'widgets.example.com "acme" is forbidden: User "system:serviceaccount:lynq-system:lynq-controller-manager" cannot get resource "widgets" in API group "example.com" in the namespace "tenants"',
  },
});

describe('deniedAccess', () => {
  it('is true for 403 Forbidden and 401 Unauthorized', () => {
    expect(deniedAccess(forbidden)).toBe(true);
    expect(deniedAccess(new ApiError({ status: 401, method: 'PATCH', path, object: ref }))).toBe(
      true,
    );
  });

  it('is false for other API errors, field conflicts and anything else', () => {
    for (const status of [404, 409, 422, 429, 500])
      expect(deniedAccess(new ApiError({ status, method: 'PATCH', path, object: ref }))).toBe(
        false,
      );
    expect(
      deniedAccess(new ConflictError({ status: 409, method: 'PATCH', path, object: ref })),
    ).toBe(false);
    expect(deniedAccess(new Error('forbidden'))).toBe(false);
    expect(deniedAccess({ status: 403 })).toBe(false);
  });

  it('keeps the API server’s words: the verb, resource, group and identity reach the event', () => {
    expect(forbidden.message).toBe(
      'GET Widget tenants/acme (example.com/v1): 403 Forbidden: widgets.example.com "acme" is forbidden: User "system:serviceaccount:lynq-system:lynq-controller-manager" cannot get resource "widgets" in API group "example.com" in the namespace "tenants"',
    );
  });
});
