import { describe, expect, it } from 'vitest';
import { buildGraph } from './build-graph.js';
import { GraphError } from './graph-error.js';
import type { GraphInput } from './resource-graph.js';

function ok(resources: GraphInput[]) {
  const result = buildGraph(resources);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.graph;
}

function errorsOf(resources: GraphInput[]) {
  const result = buildGraph(resources);
  expect(result.ok).toBe(false);
  return result.errors;
}

describe('buildGraph levels', () => {
  it('puts independent resources on level 0, sorted by id', () => {
    const g = ok([{ id: 'c' }, { id: 'a' }, { id: 'b', dependIds: [] }]);
    expect(g.levels).toEqual([['a', 'b', 'c']]);
    expect(g.order).toEqual(['a', 'b', 'c']);
  });

  it('level = 1 + the highest level of the dependencies', () => {
    const g = ok([
      { id: 'app', dependIds: ['db', 'config'] },
      { id: 'db', dependIds: ['secret'] },
      { id: 'secret' },
      { id: 'config' },
      { id: 'ingress', dependIds: ['app', 'config'] },
    ]);
    expect(g.levels).toEqual([['config', 'secret'], ['db'], ['app'], ['ingress']]);
    expect(g.levelOf('app')).toBe(2);
    expect(g.size).toBe(5);
  });

  it('is independent of input order', () => {
    const a = ok([{ id: 'x', dependIds: ['y'] }, { id: 'y' }, { id: 'z' }]);
    const b = ok([{ id: 'z' }, { id: 'y' }, { id: 'x', dependIds: ['y'] }]);
    expect(a.levels).toEqual(b.levels);
  });

  it('accepts an empty list and repeated dependIds', () => {
    expect(ok([]).levels).toEqual([]);
    expect(ok([{ id: 'a', dependIds: ['b', 'b'] }, { id: 'b' }]).levels).toEqual([['b'], ['a']]);
  });

  it('keeps the resource objects', () => {
    const app = { id: 'app', dependIds: ['db'], kind: 'Deployment' };
    const g = ok([app, { id: 'db' }]);
    expect(g.resource('app')).toBe(app);
  });
});

describe('ResourceGraph queries', () => {
  const g = ok([
    { id: 'ns' },
    { id: 'sa', dependIds: ['ns'] },
    { id: 'cm', dependIds: ['ns'] },
    { id: 'deploy', dependIds: ['sa', 'cm'] },
    { id: 'svc', dependIds: ['deploy'] },
    { id: 'other' },
  ]);

  it('dependentsOf is transitive and in apply order', () => {
    expect(g.dependentsOf('ns')).toEqual(['cm', 'sa', 'deploy', 'svc']);
    expect(g.dependentsOf('cm')).toEqual(['deploy', 'svc']);
    expect(g.dependentsOf('svc')).toEqual([]);
    expect(g.dependentsOf('other')).toEqual([]);
  });

  it('direct dependencies and dependents', () => {
    expect(g.dependenciesOf('deploy')).toEqual(['cm', 'sa']);
    expect(g.directDependentsOf('ns')).toEqual(['cm', 'sa']);
    expect(g.has('svc')).toBe(true);
    expect(g.has('nope')).toBe(false);
  });

  it('throws a typed error for an unknown id', () => {
    expect(() => g.dependentsOf('nope')).toThrow(GraphError);
    try {
      g.levelOf('nope');
    } catch (e) {
      expect(e).toMatchObject({
        code: 'NotInGraph',
        resourceId: 'nope',
        message: 'resource nope is not in the graph',
      });
    }
    expect(() => g.resource('nope')).toThrow('resource nope is not in the graph');
  });
});

describe('buildGraph errors', () => {
  const cases: {
    name: string;
    input: GraphInput[];
    expected: {
      code: string;
      message: string;
      resourceId: string;
      index: number;
      dependencyIndex?: number;
    }[];
  }[] = [
    {
      name: 'empty id',
      input: [{ id: 'a' }, { id: '' }],
      expected: [
        { code: 'EmptyId', message: 'resource ID cannot be empty', resourceId: '', index: 1 },
      ],
    },
    {
      name: 'duplicate id',
      input: [{ id: 'a' }, { id: 'b' }, { id: 'a' }],
      expected: [
        { code: 'DuplicateId', message: 'duplicate resource ID: a', resourceId: 'a', index: 2 },
      ],
    },
    {
      name: 'unknown dependency',
      input: [{ id: 'a', dependIds: ['x', 'b', 'y'] }, { id: 'b' }],
      expected: [
        {
          code: 'UnknownDependency',
          message: 'resource a depends on non-existent resource: x',
          resourceId: 'a',
          index: 0,
          dependencyIndex: 0,
        },
        {
          code: 'UnknownDependency',
          message: 'resource a depends on non-existent resource: y',
          resourceId: 'a',
          index: 0,
          dependencyIndex: 2,
        },
      ],
    },
    {
      name: 'self reference',
      input: [{ id: 'b' }, { id: 'a', dependIds: ['b', 'a'] }],
      expected: [
        {
          code: 'SelfReference',
          message: 'circular dependency detected: a -> a',
          resourceId: 'a',
          index: 1,
          dependencyIndex: 1,
        },
      ],
    },
    {
      name: 'two-resource cycle',
      input: [
        { id: 'a', dependIds: ['b'] },
        { id: 'b', dependIds: ['a'] },
      ],
      expected: [
        {
          code: 'Cycle',
          message: 'circular dependency detected: a -> b -> a',
          resourceId: 'a',
          index: 0,
          dependencyIndex: 0,
        },
      ],
    },
    {
      name: 'three-resource cycle behind an acyclic prefix',
      input: [
        { id: 'root' },
        { id: 'a', dependIds: ['root', 'b'] },
        { id: 'b', dependIds: ['c'] },
        { id: 'c', dependIds: ['a'] },
      ],
      expected: [
        {
          code: 'Cycle',
          message: 'circular dependency detected: a -> b -> c -> a',
          resourceId: 'a',
          index: 1,
          dependencyIndex: 1,
        },
      ],
    },
    {
      name: 'shortest cycle through the first resource of the component',
      input: [
        { id: 'a', dependIds: ['b', 'd'] },
        { id: 'b', dependIds: ['c'] },
        { id: 'c', dependIds: ['a'] },
        { id: 'd', dependIds: ['a'] },
      ],
      expected: [
        {
          code: 'Cycle',
          message: 'circular dependency detected: a -> d -> a',
          resourceId: 'a',
          index: 0,
          dependencyIndex: 1,
        },
      ],
    },
    {
      name: 'one cycle per independent component, plus other errors',
      input: [
        { id: 'x', dependIds: ['y'] },
        { id: 'y', dependIds: ['x', 'ghost'] },
        { id: '' },
        { id: 'p', dependIds: ['q'] },
        { id: 'q', dependIds: ['p'] },
      ],
      expected: [
        { code: 'EmptyId', message: 'resource ID cannot be empty', resourceId: '', index: 2 },
        {
          code: 'UnknownDependency',
          message: 'resource y depends on non-existent resource: ghost',
          resourceId: 'y',
          index: 1,
          dependencyIndex: 1,
        },
        {
          code: 'Cycle',
          message: 'circular dependency detected: x -> y -> x',
          resourceId: 'x',
          index: 0,
          dependencyIndex: 0,
        },
        {
          code: 'Cycle',
          message: 'circular dependency detected: p -> q -> p',
          resourceId: 'p',
          index: 3,
          dependencyIndex: 0,
        },
      ],
    },
  ];

  it.each(cases)('$name', ({ input, expected }) => {
    const errors = errorsOf(input);
    expect(errors.every((e) => e instanceof GraphError)).toBe(true);
    expect(errors.map((e) => ({ ...e, message: e.message }))).toEqual(
      expected.map((x) => expect.objectContaining(x) as unknown),
    );
  });

  it('carries the cycle path and the duplicate position', () => {
    const [cycle] = errorsOf([
      { id: 'a', dependIds: ['b'] },
      { id: 'b', dependIds: ['a'] },
    ]);
    expect(cycle?.cycle).toEqual(['a', 'b', 'a']);
    const [dup] = errorsOf([{ id: 'a' }, { id: 'a' }]);
    expect(dup?.firstIndex).toBe(0);
  });
});

describe('long chains (untrusted input: no recursion per resource)', () => {
  const chain = (n: number, cyclic = false) =>
    Array.from({ length: n }, (_, i) => ({
      id: `r${i}`,
      dependIds: i === 0 ? (cyclic ? [`r${n - 1}`] : []) : [`r${i - 1}`],
    }));

  it('levels a 20,000-resource chain', () => {
    const result = buildGraph(chain(20_000));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.graph.levels).toHaveLength(20_000);
    expect(result.graph.levels[19_999]).toEqual(['r19999']);
  });

  it('finds the cycle of a 20,000-resource ring, with its whole path', () => {
    const result = buildGraph(chain(20_000, true));
    expect(result.ok).toBe(false);
    const cycles = result.errors.filter((e) => e.code === 'Cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.cycle).toHaveLength(20_001);
  });
});
