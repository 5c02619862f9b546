import { describe, expect, it } from 'vitest';
import { equalExtras, normalizeNodeSpec } from './node-diff.js';

describe('normalizeNodeSpec', () => {
  it('fills resource defaults and drops what Go omits', () => {
    const mine = {
      uid: 'a',
      templateRef: 'web',
      configMaps: [{ id: 'c', spec: { kind: 'ConfigMap' }, nameTemplate: 'x' }],
    };
    const go = {
      uid: 'a',
      templateRef: 'web',
      templateSyntax: 'go' as const,
      services: [],
      configMaps: [
        {
          id: 'c',
          spec: { kind: 'ConfigMap' },
          nameTemplate: 'x',
          targetNamespace: '',
          labelsTemplate: {},
          dependIds: [],
          creationPolicy: 'WhenNeeded' as const,
          deletionPolicy: 'Delete' as const,
          conflictPolicy: 'Stuck' as const,
          patchStrategy: 'apply' as const,
          waitForReady: true,
          skipOnDependencyFailure: true,
          timeoutSeconds: 300,
        },
      ],
    };
    expect(normalizeNodeSpec(mine as never)).toEqual(normalizeNodeSpec(go));
    expect(normalizeNodeSpec({ ...go, templateSyntax: 'nunjucks' })).not.toEqual(
      normalizeNodeSpec(go),
    );
    // The input is not changed.
    expect(go.services).toEqual([]);
  });
});

describe('equalExtras', () => {
  it('compares the lynq.sh/extra JSON by value', () => {
    expect(equalExtras('{"a":"1","b":"2"}', '{ "b": "2", "a": "1" }')).toBe(true);
    expect(equalExtras('null', '{}')).toBe(true);
    expect(equalExtras(undefined, '{}')).toBe(true);
    expect(equalExtras('{"a":"1"}', '{"a":"2"}')).toBe(false);
    expect(equalExtras('{', '{')).toBe(true);
    expect(equalExtras('{', '{}')).toBe(false);
  });
});
