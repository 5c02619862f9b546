import { describe, expect, it } from 'vitest';
import { parseConflictCauses } from './conflict-causes.js';
import { apiErrorFor, ConflictError, FieldValidationError } from './errors.js';

describe('parseConflictCauses', () => {
  it('reads Update and Apply managers, subresources and times', () => {
    const conflicts = parseConflictCauses([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-edit" using v1',
        field: '.data.key',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "other-operator" using apps/v1 at 2026-11-22T01:02:03Z',
        field: '.spec.replicas',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "helm"',
        field: '.metadata.labels.app',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubelet" with subresource "status" using v1',
        field: '.status.phase',
      },
      { reason: 'FieldValueInvalid', message: 'ignored', field: '.x' },
    ]);
    expect(conflicts).toEqual([
      { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', field: '.data.key' },
      {
        manager: 'other-operator',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2026-11-22T01:02:03Z',
        field: '.spec.replicas',
      },
      { manager: 'helm', operation: 'Apply', field: '.metadata.labels.app' },
      {
        manager: 'kubelet',
        operation: 'Update',
        subresource: 'status',
        apiVersion: 'v1',
        field: '.status.phase',
      },
    ]);
  });

  it('unquotes escaped manager names and keeps unrecognised messages whole', () => {
    expect(
      parseConflictCauses([
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "a \\"quoted\\" name"',
          field: '.a',
        },
        { reason: 'FieldManagerConflict', message: 'something new', field: '.b' },
      ]),
    ).toEqual([
      { manager: 'a "quoted" name', operation: 'Apply', field: '.a' },
      { manager: 'something new', operation: 'Apply', field: '.b' },
    ]);
  });
});

describe('apiErrorFor', () => {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'cm' };
  it('makes a ConflictError for an SSA 409 with field manager causes', () => {
    const error = apiErrorFor({
      status: 409,
      method: 'PATCH',
      path: '/api/v1/namespaces/ns/configmaps/cm',
      object: ref,
      body: {
        kind: 'Status',
        reason: 'Conflict',
        message: 'Apply failed with 2 conflicts: ...',
        details: {
          causes: [
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "a" using v1',
              field: '.data.x',
            },
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "a" using v1',
              field: '.data.y',
            },
          ],
        },
      },
    });
    expect(error).toBeInstanceOf(ConflictError);
    const conflict = error as ConflictError;
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.status).toBe(409);
    expect(conflict.managers).toEqual(['a']);
    expect(conflict.conflicts.map((c) => c.field)).toEqual(['.data.x', '.data.y']);
    expect(conflict.message).toContain('ConfigMap ns/cm');
    expect(conflict.message).toContain('.data.x (a)');
    expect(conflict.object).toEqual(ref);
  });

  it('keeps a resourceVersion conflict an ApiError that reports staleness', () => {
    const error = apiErrorFor({
      status: 409,
      method: 'PUT',
      path: '/p',
      body: { kind: 'Status', reason: 'Conflict', message: 'the object has been modified' },
    });
    expect(error).not.toBeInstanceOf(ConflictError);
    expect(error.isStale).toBe(true);
    expect(error.isAlreadyExists).toBe(false);
  });

  it('names the reason for statuses without a Status body', () => {
    const error = apiErrorFor({ status: 404, method: 'GET', path: '/p', text: 'not here' });
    expect(error.reason).toBe('NotFound');
    expect(error.isNotFound).toBe(true);
    expect(error.message).toBe('GET /p: 404 NotFound: not here');
  });
});

describe('unknown fields under Strict validation', () => {
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'd' };

  it('reads the SSA form (500, field not declared in schema)', () => {
    const error = apiErrorFor({
      status: 500,
      method: 'PATCH',
      path: '/p',
      object,
      body: {
        kind: 'Status',
        reason: 'InternalError',
        message:
          'failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): errors:\n  .spec.replicaz: field not declared in schema\n  .spec.template.spec.containerz: field not declared in schema',
      },
    });
    expect(error).toBeInstanceOf(FieldValidationError);
    expect((error as FieldValidationError).fields).toEqual([
      '.spec.replicaz',
      '.spec.template.spec.containerz',
    ]);
    expect(error.code).toBe('FIELD_VALIDATION');
    expect(error.message).toBe(
      'Deployment ns/d (apps/v1): unknown fields .spec.replicaz, .spec.template.spec.containerz (not in the schema of Deployment; misspelled or misplaced?)',
    );
  });

  it('reads the create/update form (400, strict decoding error)', () => {
    const error = apiErrorFor({
      status: 400,
      method: 'POST',
      path: '/p',
      object,
      body: {
        kind: 'Status',
        reason: 'BadRequest',
        message:
          'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
      },
    });
    expect((error as FieldValidationError).fields).toEqual(['spec.replicaz']);
  });

  it('leaves other 500s alone', () => {
    const error = apiErrorFor({
      status: 500,
      method: 'GET',
      path: '/p',
      body: { kind: 'Status', message: 'etcd down' },
    });
    expect(error).not.toBeInstanceOf(FieldValidationError);
  });
});
