import { applyFormDefaults, validateForm } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import {
  checkResourceReadiness,
  compileReadyWhen,
  readyWhenCheck,
  ReadyWhenError,
} from './ready-when.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', generation: 4, annotations: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 3 },
  status: {
    observedGeneration: 4,
    readyReplicas: 3,
    ratio: 0.5,
    conditions: [
      { type: 'Available', status: 'True' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  },
};

function compiled(expressions: string[]) {
  const result = compileReadyWhen(expressions);
  if (!result.ok) throw new AggregateError(result.errors, 'expected the expressions to compile');
  return result.readyWhen;
}

describe('compileReadyWhen / evaluate', () => {
  it.each([
    { expr: 'self.status.readyReplicas == self.spec.replicas', ready: true },
    { expr: 'self.status.readyReplicas >= 2', ready: true },
    { expr: 'self.status.readyReplicas > self.spec.replicas - 1', ready: true },
    { expr: 'self.status.readyReplicas == 4', ready: false },
    { expr: 'self.status.ratio < 1.0', ready: true },
    {
      expr: "self.status.conditions.exists(c, c.type == 'Available' && c.status == 'True')",
      ready: true,
    },
    { expr: "self.status.conditions.all(c, c.status == 'True')", ready: true },
    { expr: 'self.status.observedGeneration == self.metadata.generation', ready: true },
    { expr: "self.metadata.annotations['app.kubernetes.io/name'] == 'web'", ready: true },
    { expr: 'has(self.status.paused) ? !self.status.paused : true', ready: true },
    {
      expr: "self.kind.startsWith('Deploy') && self.kind.lowerAscii() == 'deployment'",
      ready: true,
    },
    { expr: 'size(self.status.conditions) == 2', ready: true },
  ])('$expr → $ready', ({ expr, ready }) => {
    const verdict = compiled([expr]).evaluate(deployment);
    expect(verdict.ready).toBe(ready);
    expect(verdict.reason).toBe(ready ? 'Ready' : 'ReadyWhenFalse');
  });

  it('needs every expression to be true and names the first false one', () => {
    const rw = compiled(['self.spec.replicas == 3', 'self.status.readyReplicas == 5', 'false']);
    expect(rw.evaluate(deployment)).toEqual({
      ready: false,
      reason: 'ReadyWhenFalse',
      message: 'readyWhen[1] is false: self.status.readyReplicas == 5',
    });
    expect(compiled(['true', 'self.spec.replicas == 3']).evaluate(deployment)).toEqual({
      ready: true,
      reason: 'Ready',
      message: 'all 2 readyWhen expressions are true',
    });
  });

  it('a missing field or a non-bool result is not ready, with the cause', () => {
    const missing = compiled(['self.status.loadBalancer.ingress.size() > 0']).evaluate(deployment);
    expect(missing.ready).toBe(false);
    expect(missing.reason).toBe('ReadyWhenError');
    expect(missing.message).toContain(
      'readyWhen[0] "self.status.loadBalancer.ingress.size() > 0" failed:',
    );
    expect(compiled(['self.spec.replicas']).evaluate(deployment)).toMatchObject({
      ready: false,
      reason: 'ReadyWhenError',
      message: 'readyWhen[0] "self.spec.replicas" returned an int, expected a bool',
    });
  });

  it('reports syntax errors and unknown functions for every bad expression', () => {
    const result = compileReadyWhen(['true', 'self.status.x ==', 'isReady(self)', 'self.a.b > 1']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.every((e) => e instanceof ReadyWhenError)).toBe(true);
    expect(result.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(result.errors[1]?.detail).toBe('unknown function isReady');
  });

  it('refuses expressions whose cost has no bound: deep comprehensions, big literals, long text', () => {
    const nested = (n: number): string =>
      n === 0 ? 'true' : `[0,1,2,3,4,5,6,7,8,9].all(x${n}, ${nested(n - 1)})`;
    const fine = compileReadyWhen([
      nested(2),
      'self.spec.containers.all(c, c.ports.exists(p, p.containerPort > 0))',
    ]);
    expect(fine.ok).toBe(true);
    const bad = compileReadyWhen([
      nested(7),
      `[${Array.from({ length: 65 }, (_, i) => i).join(',')}].size() > 0`,
      `self.a == "${'x'.repeat(1_000)}"`,
    ]);
    expect(bad.ok).toBe(false);
    const messages = bad.ok ? [] : bad.errors.map((e) => e.detail);
    expect(messages).toEqual([
      'comprehensions (all, exists, map, filter) nested more than 2 deep',
      'a list literal of more than 64 elements',
      expect.stringMatching(/^longer than 1000 characters/),
    ]);
  });

  it('compiles an expression once and reuses it', () => {
    const a = compiled(['self.spec.replicas > 0']);
    const b = compiled(['self.spec.replicas > 0']);
    for (let i = 0; i < 100; i++) expect(b.evaluate({ spec: { replicas: i } }).ready).toBe(i > 0);
    expect(a.evaluate(deployment).ready).toBe(true);
  });
});

describe('checkResourceReadiness', () => {
  const rw = compiled(["self.status.phase == 'Ready'"]);
  it('uses readyWhen instead of the kind rule when given', () => {
    // A Deployment whose built-in rule says not ready, but whose readyWhen is satisfied.
    const obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { generation: 2 },
      status: { phase: 'Ready' },
    };
    expect(checkResourceReadiness(obj).ready).toBe(false);
    expect(checkResourceReadiness(obj, rw).ready).toBe(true);
  });
  it('missing and terminating objects are never ready', () => {
    expect(checkResourceReadiness(undefined, rw).reason).toBe('NotFound');
    const terminating = {
      metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' },
      status: { phase: 'Ready' },
    };
    expect(checkResourceReadiness(terminating, rw).reason).toBe('Terminating');
  });
});

describe('readyWhenCheck', () => {
  it('reports compile errors at the expression’s path', () => {
    const form = applyFormDefaults({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        hubId: 'hub',
        manifests: [
          {
            id: 'db',
            nameTemplate: 'db',
            readyWhen: ["self.status.phase == 'Ready'", 'self.status.phase =='],
            spec: { apiVersion: 'example.com/v1', kind: 'Database' },
          },
        ],
      },
    });
    const result = validateForm(form, { checks: [readyWhenCheck] });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.path).toBe('spec.manifests[0].readyWhen[1]');
    expect(result.errors[0]?.message).toMatch(
      /^readyWhen validation failed: invalid readyWhen in resource 'db': .+/,
    );
  });
});
