// Differential test: every desired object of the corpus is hashed by Go (hash-oracle/main.go:
// decoded as Kubernetes decodes objects into unstructured, hashed as the Go operator hashes) and
// by appliedHash; the hashes, and the JSON text behind them, must be identical.
import { Annotations } from '@lynq/api';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { appliedHash, hashedJson } from './applied-hash.js';
import type { KubeObject } from './object-ref.js';
import { goHashes, oracleBinary } from './testdata/hash-oracle.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Builds the oracle on a cold machine (a minute; later runs reuse the cached binary).
beforeAll(() => {
  oracleBinary();
}, 600_000);

/** Sends the objects to Go as JSON and expects Go's hash and text for each. */
function expectSameAsGo(objects: readonly KubeObject[], context: string): void {
  const results = goHashes(objects.map((o) => JSON.stringify(o)));
  expect(results).toHaveLength(objects.length);
  objects.forEach((obj, i) => {
    const go = results[i]!;
    expect(go.error, `${context} #${i}: Go could not hash it`).toBeUndefined();
    expect(hashedJson(obj), `${context} #${i}: JSON text`).toBe(go.json);
    expect(appliedHash(obj), `${context} #${i}: hash`).toBe(go.hash);
  });
}

const DEPLOYMENT: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'acme-web',
    namespace: 'tenants',
    labels: { app: 'web', 'lynq.sh/node': 'acme-web-app', 'lynq.sh/node-namespace': 'tenants' },
    annotations: {
      [Annotations.DeletionPolicy]: 'Delete',
      [Annotations.AppliedHash]: '0123456789abcdef',
      [Annotations.ApplyStartTime]: '2026-01-01T00:00:00.123456789Z',
      'example.com/config': '{"a":"<b>","c":[1,2]}',
    },
    ownerReferences: [
      {
        apiVersion: 'operator.lynq.sh/v1',
        kind: 'LynqNode',
        name: 'acme-web-app',
        uid: '6f1c2a4e-0000-4000-8000-000000000001',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
    creationTimestamp: null,
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/app:1.2.3',
            args: ['--greeting=<hello & welcome>', '--ratio=0.25', '--ÿ=\u2028'],
            env: [
              { name: 'HTML', value: '<script>alert("x")</script>' },
              { name: 'EMPTY', value: '' },
              { name: 'UNICODE', value: 'héllo wörld 日本 😀' },
            ],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1 } },
            readinessProbe: { httpGet: { path: '/healthz?a=1&b=2', port: 8080 }, periodSeconds: 5 },
          },
        ],
        nodeSelector: {},
        tolerations: [],
        terminationGracePeriodSeconds: 30,
        securityContext: null,
      },
    },
  },
};

describe('appliedHash equals the Go operator’s hash', () => {
  it('for realistic objects', () => {
    expectSameAsGo(
      [
        DEPLOYMENT,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'cm', namespace: 'ns', annotations: {} },
          data: { 'a.json': '{"x": "<&>"}', b: 'line1\nline2\ttab', c: '' },
        },
        {
          // Only bookkeeping annotations: Go drops the emptied map.
          apiVersion: 'v1',
          kind: 'Service',
          metadata: {
            name: 'svc',
            namespace: 'ns',
            annotations: { [Annotations.AppliedHash]: 'x', [Annotations.ApplyStartTime]: 'y' },
          },
          spec: { ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'web' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'tenant-acme', namespace: 'tenants', labels: {} },
        },
      ],
      'realistic',
    );
  });

  it('for numbers at the edges of Go’s int64 and float64 formats', () => {
    const numbers = [
      0,
      1,
      -1,
      42,
      1e21,
      -1e21,
      1e20,
      9.999999999999999e20,
      1e-6,
      9.99e-7,
      1e-7,
      -1e-7,
      0.1,
      0.2,
      0.30000000000000004,
      1.5,
      -2.5e-8,
      5e-324,
      1.7976931348623157e308,
      2 ** 53,
      -(2 ** 53),
      2 ** 53 + 2,
      2 ** 60,
      2 ** 63,
      2 ** 64,
      -(2 ** 63),
      123456789012345680000,
      1e300,
      1.2345e-300,
      3.14159,
      100,
      1e100,
      12345678.9,
    ];
    expectSameAsGo(
      numbers.map((n, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `n${i}` },
        spec: { n, list: [n, [n], { n }] },
      })),
      'numbers',
    );
  });

  it('for strings and keys Go escapes or orders differently', () => {
    const keys = [
      '<',
      '>',
      '&',
      '<>&',
      '\u2028',
      '\u2029',
      '😀',
      '\uff01',
      '\ue000',
      '\uffff',
      '\ufffd',
      '\u0000',
      '\u0007',
      '\b\f\n\r\t',
      '\u001f',
      '\u007f',
      '\u0080',
      '"\\',
      '/',
      'é',
      '日本語',
      '\u200b',
      'a\ud83d',
    ];
    // Lone surrogates (Go: U+FFFD) only as values, and one as a key: see the test further down.
    const values = [...keys, '\ud800', '\udfff', '\ude00b', 'x\ud800\udc00y'];
    const dict = Object.fromEntries(keys.map((k, i) => [k, `${i}:${values[i] ?? ''}`]));
    expectSameAsGo(
      [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keys' }, data: dict },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'values' }, list: values },
      ],
      'strings',
    );
  });

  describe('for property-generated objects', () => {
    const special = fc.constantFrom(
      '<',
      '>',
      '&',
      '\u2028',
      '\u2029',
      '😀',
      '\uff01',
      '\ue000',
      '\ufffd',
      '\u0000',
      '\u001f',
      '\u007f',
      '\ud800',
      '\udc00',
      'é',
      '"',
      '\\',
      '\n',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({
        unit: fc.oneof(special, fc.string({ minLength: 1, maxLength: 1 })),
        maxLength: 8,
      }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    // Keys with lone surrogates can collide in Go (both become U+FFFD; tested further down).
    const key = text.filter((k) => !LONE_SURROGATE.test(k));
    const number = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(1e21, 1e-7, 0.1, 1e-6, 9.999999e-7, 1e20, 2 ** 60, -(2 ** 63), 5e-324, -0),
    );
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        text,
        number,
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    }));
    const object: fc.Arbitrary<KubeObject> = fc.record({
      apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1'),
      kind: fc.constantFrom('ConfigMap', 'Deployment', 'Widget'),
      metadata: fc.record(
        {
          name: text,
          annotations: fc.dictionary(
            fc.oneof(key, fc.constantFrom(Annotations.AppliedHash, Annotations.ApplyStartTime)),
            text,
            { maxKeys: 3 },
          ),
          labels: fc.dictionary(key, text, { maxKeys: 3 }),
        },
        { requiredKeys: ['name'] },
      ),
      // spec is an object on every kind; any JSON value goes under it and under a field of its
      // own (`data`), so non-object values still reach the top level of an object.
      spec: fc.dictionary(key, value, { maxKeys: 4 }),
      data: value,
    });

    it.each([
      ['a fixed seed', 20260705],
      ['a seed of this run', Date.now() % 2 ** 31],
    ])('with %s', (_what, seed) => {
      const objects = fc.sample(object, { seed, numRuns: 400 });
      expectSameAsGo(objects, `seed ${seed}`);
    });
  });
});

describe('where equality is impossible (documented in go-json.ts): Go read digits JS cannot keep', () => {
  // Go decodes the JSON text a user or the API server wrote; a JS number cannot tell these apart.
  function ours(text: string): string {
    return appliedHash(JSON.parse(text) as KubeObject);
  }
  const doc = (n: string) =>
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"n":${n}}`;

  it('an integer beyond 2^53 differs (one write on takeover, never a wrong skip)', () => {
    const [go] = goHashes([doc('9007199254740993')]);
    expect(ours(doc('9007199254740993'))).not.toBe(go?.hash);
  });

  it('a float -0 differs, an integer -0 agrees', () => {
    const [negativeFloat, negativeInt] = goHashes([doc('-0.0'), doc('-0')]);
    expect(ours(doc('-0.0'))).not.toBe(negativeFloat?.hash);
    expect(ours(doc('-0'))).toBe(negativeInt?.hash);
  });

  it('keys that differ only in lone surrogates are one key in Go, so the hashes differ', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { '\ud800': 'a', '\udfff': 'b' },
    });
    const [go] = goHashes([text]);
    expect(go?.json).toContain('"data":{"\ufffd":"b"}');
    expect(ours(text)).not.toBe(go?.hash);
  });

  it('integers Go holds as float64 or int64 with the same digits agree', () => {
    const texts = ['1.0', '1e3', '100000000000000000000', '1E+2', '-5.000'];
    const go = goHashes(texts.map(doc));
    texts.forEach((t, i) => expect(ours(doc(t)), t).toBe(go[i]?.hash));
  });
});
