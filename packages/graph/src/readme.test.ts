import { applyFormDefaults, validateForm } from '@lynq/api';
import { expect, it } from 'vitest';
import { buildGraph, dependencyCheck } from './index.js';

it('runs the README example', () => {
  const result = buildGraph([
    { id: 'app', dependIds: ['db', 'config'] },
    { id: 'db', dependIds: ['secret'] },
    { id: 'secret' },
    { id: 'config' },
    { id: 'ingress', dependIds: ['app'] },
  ]);
  if (!result.ok) throw new AggregateError(result.errors, 'invalid dependencies');
  const graph = result.graph;
  expect(graph.levels).toEqual([['config', 'secret'], ['db'], ['app'], ['ingress']]);
  expect(graph.order).toEqual(['config', 'secret', 'db', 'app', 'ingress']);
  expect(graph.dependentsOf('secret')).toEqual(['db', 'app', 'ingress']);

  const broken = buildGraph([
    { id: 'a', dependIds: ['b'] },
    { id: 'b', dependIds: ['c'] },
    { id: 'c', dependIds: ['a'] },
  ]);
  expect(broken.ok).toBe(false);
  expect(broken.errors[0]?.message).toBe('circular dependency detected: a -> b -> c -> a');

  const form = applyFormDefaults({
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      hubId: 'hub',
      services: [
        {
          id: 'a',
          dependIds: ['cm', 'b'],
          nameTemplate: 'a',
          spec: { apiVersion: 'v1', kind: 'Service' },
        },
      ],
      configMaps: [{ id: 'cm', nameTemplate: 'cm', spec: { apiVersion: 'v1', kind: 'ConfigMap' } }],
    },
  });
  expect(validateForm(form, { checks: [dependencyCheck] }).errors).toEqual([
    {
      path: 'spec.services[0].dependIds[1]',
      message: "dependency validation failed: resource 'a' depends on non-existent resource 'b'",
    },
  ]);
});
