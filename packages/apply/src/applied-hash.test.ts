import { createHash } from 'node:crypto';
import { Annotations } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { appliedHash } from './applied-hash.js';
import type { KubeObject } from './object-ref.js';

const base: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'cm',
    namespace: 'ns',
    annotations: { [Annotations.DeletionPolicy]: 'Delete' },
  },
  data: { key: 'value' },
};

describe('appliedHash', () => {
  it('is the first 8 bytes of SHA-256 over the canonical JSON, as 16 hex characters', () => {
    const canonical =
      '{"apiVersion":"v1","data":{"key":"value"},"kind":"ConfigMap","metadata":{"annotations":{"lynq.sh/deletion-policy":"Delete"},"name":"cm","namespace":"ns"}}';
    const expected = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
    expect(appliedHash(base)).toBe(expected);
    expect(appliedHash(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('ignores key order', () => {
    const reordered: KubeObject = {
      data: { key: 'value' },
      metadata: {
        annotations: { [Annotations.DeletionPolicy]: 'Delete' },
        namespace: 'ns',
        name: 'cm',
      },
      kind: 'ConfigMap',
      apiVersion: 'v1',
    };
    expect(appliedHash(reordered)).toBe(appliedHash(base));
  });

  it('ignores the applied-hash and apply-start-time annotations', () => {
    const stamped: KubeObject = {
      ...base,
      metadata: {
        ...base.metadata,
        annotations: {
          ...base.metadata.annotations,
          [Annotations.AppliedHash]: '0123456789abcdef',
          [Annotations.ApplyStartTime]: '2026-01-01T00:00:00.000Z',
        },
      },
    };
    expect(appliedHash(stamped)).toBe(appliedHash(base));
    // and does not modify its input
    expect(stamped.metadata.annotations?.[Annotations.AppliedHash]).toBe('0123456789abcdef');
  });

  it('changes with any other field', () => {
    expect(appliedHash({ ...base, data: { key: 'other' } })).not.toBe(appliedHash(base));
    const labelled = { ...base, metadata: { ...base.metadata, labels: { a: 'b' } } };
    expect(appliedHash(labelled)).not.toBe(appliedHash(base));
  });
});
