import { isDeepStrictEqual } from 'node:util';
import { applyFormDefaults, applyHubDefaults } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { jsonPatch, pointerSegment, type JsonPatchOp } from './json-patch.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class PatchError extends Error {}

/** RFC 6901: '' is the whole document; each segment unescapes ~1 before ~0. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`pointer ${pointer} does not start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const isRecord = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An own property, even `__proto__` (a plain assignment would set the prototype). */
const setOwn = (obj: Record<string, Json>, key: string, value: Json) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

function arrayIndex(arr: Json[], segment: string, forAdd: boolean): number {
  if (forAdd && segment === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) throw new PatchError(`bad array index ${segment}`);
  const i = Number(segment);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new PatchError(`index ${i} out of bounds`);
  return i;
}

/** RFC 6902 add, remove and replace, as strictly as the API server (evanphx/json-patch) applies them. */
function applyPatch(doc: Json, ops: readonly JsonPatchOp[]): Json {
  let root = structuredClone(doc);
  for (const op of ops) {
    const parts = parsePointer(op.path);
    if (parts.length === 0) {
      if (op.op === 'remove') throw new PatchError('cannot remove the root');
      root = structuredClone(op.value as Json);
      continue;
    }
    const last = parts.pop()!;
    let parent: Json = root;
    for (const p of parts) {
      if (Array.isArray(parent)) parent = parent[arrayIndex(parent, p, false)]!;
      else if (isRecord(parent) && Object.hasOwn(parent, p)) parent = parent[p]!;
      else throw new PatchError(`${op.op} ${op.path}: parent ${p} is missing`);
    }
    const value = 'value' in op ? structuredClone(op.value as Json) : null;
    if (Array.isArray(parent)) {
      const i = arrayIndex(parent, last, op.op === 'add');
      if (op.op === 'add') parent.splice(i, 0, value);
      else if (op.op === 'remove') parent.splice(i, 1);
      else parent[i] = value;
    } else if (isRecord(parent)) {
      if (op.op !== 'add' && !Object.hasOwn(parent, last))
        throw new PatchError(`${op.op} ${op.path}: no such member`);
      if (op.op === 'remove') delete parent[last];
      else setOwn(parent, last, value);
    } else throw new PatchError(`${op.op} ${op.path}: parent is a scalar`);
  }
  return root;
}

/** A small seeded generator (mulberry32): the same documents on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

/** Keys that JSON Pointer must escape, that JavaScript treats specially, or that look like indexes. */
const KEYS = ['a', 'b/c', '~', '~1', '/~0', '', '__proto__', 'constructor', 'prototype', '0', '-'];

function randomJson(r: ReturnType<typeof random>, depth: number): Json {
  const kind = depth > 3 ? r.next() * 4 : r.next() * 6;
  if (kind < 1) return null;
  if (kind < 2) return r.next() < 0.5;
  if (kind < 3) return Math.floor(r.next() * 10);
  if (kind < 4) return r.pick(KEYS);
  if (kind < 5)
    return Array.from({ length: Math.floor(r.next() * 4) }, () => randomJson(r, depth + 1));
  const obj: Record<string, Json> = {};
  for (let i = Math.floor(r.next() * 4); i > 0; i--)
    setOwn(obj, r.pick(KEYS), randomJson(r, depth + 1));
  return obj;
}

/** Changes a copy here and there: adds, removes and replaces members, grows and shrinks lists. */
function mutate(r: ReturnType<typeof random>, v: Json): Json {
  if (Array.isArray(v)) {
    const out = v.map((x) => (r.next() < 0.5 ? mutate(r, x) : x));
    if (r.next() < 0.2) out.push(randomJson(r, 3));
    if (r.next() < 0.2) out.shift();
    return out;
  }
  if (isRecord(v)) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v))
      if (r.next() > 0.15) setOwn(out, k, r.next() < 0.5 ? mutate(r, x) : x);
    if (r.next() < 0.3) setOwn(out, r.pick(KEYS), randomJson(r, 3));
    return out;
  }
  return r.next() < 0.3 ? randomJson(r, 3) : v;
}

describe('jsonPatch', () => {
  it('is empty for equal documents', () => {
    expect(jsonPatch({ a: [1, { b: 'c' }] }, { a: [1, { b: 'c' }] })).toEqual([]);
  });

  it('adds missing fields inside list items, escaping keys', () => {
    const from: Json = { spec: { list: [{ id: 'a' }, { id: 'b', x: 1 }] }, 'k/~': 1 };
    const to: Json = {
      spec: {
        list: [
          { id: 'a', p: 'D' },
          { id: 'b', x: 2 },
        ],
      },
      'k/~': 1,
      new: { n: 1 },
    };
    const ops = jsonPatch(from, to);
    expect(ops).toEqual([
      { op: 'add', path: '/spec/list/0/p', value: 'D' },
      { op: 'replace', path: '/spec/list/1/x', value: 2 },
      { op: 'add', path: '/new', value: { n: 1 } },
    ]);
    expect(applyPatch(from, ops)).toEqual(to);
  });

  it('removes keys and replaces lists whose length changed and values that changed type', () => {
    const from: Json = { a: 1, b: [1, 2], c: { d: 1 }, e: [1] };
    const to: Json = { b: [1], c: [1], e: { x: 1 } };
    const ops = jsonPatch(from, to);
    expect(ops).toContainEqual({ op: 'remove', path: '/a' });
    expect(applyPatch(from, ops)).toEqual(to);
  });

  it('escapes ~ and / in pointer segments', () => {
    expect(pointerSegment('lynq.sh/a~b')).toBe('lynq.sh~1a~0b');
    expect(pointerSegment('~1')).toBe('~01');
  });

  it('turns any document into any other, under keys that need escaping or are special to JavaScript', () => {
    const r = random(14);
    for (let i = 0; i < 2000; i++) {
      const from = randomJson(r, 0);
      const to = mutate(r, from);
      const ops = jsonPatch(from, to);
      // node's comparison, not expect's: an own `constructor` member would confuse the latter.
      const applied = applyPatch(from, ops);
      expect(isDeepStrictEqual(applied, to), JSON.stringify({ from, to, ops, applied })).toBe(true);
    }
    // Nothing leaked onto Object.prototype along the way.
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
  });

  it('gives exactly the defaults of a hub and of a form with hostile keys, thousands of resources too', () => {
    const hostileSpec = JSON.parse(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"annotations":{"a/b~c":"x"}},' +
        '"data":{"__proto__":"p","constructor":"c","x/y":"1","~0":"2","":"e"}}',
    ) as Json;
    const form = JSON.parse(
      JSON.stringify({
        apiVersion: 'operator.lynq.sh/v1',
        kind: 'LynqForm',
        metadata: { name: 'f', labels: { 'lynq.sh/x~y': 'z' } },
        spec: {
          hubId: 'h',
          rollout: { maxSkew: 1 },
          configMaps: Array.from({ length: 25_000 }, (_, i) => ({
            id: `r${i}`,
            nameTemplate: 'n',
            ...(i % 2 ? { creationPolicy: '' } : {}),
            spec: hostileSpec,
          })),
          secrets: [{ id: 's', timeoutSeconds: 0, waitForReady: null, spec: hostileSpec }],
        },
      }),
    ) as Json;
    const formOps = jsonPatch(form, applyFormDefaults(form));
    expect(formOps.length).toBeGreaterThan(150_000);
    expect(applyPatch(form, formOps)).toStrictEqual(applyFormDefaults(form));
    expect(formOps.every((op) => op.op !== 'remove')).toBe(true);

    const hub = JSON.parse(
      '{"apiVersion":"operator.lynq.sh/v1","kind":"LynqHub","metadata":{"name":"h"},"spec":' +
        '{"source":{"type":"postgresql","syncInterval":"","postgresql":{"port":0,"__proto__":{}}},' +
        '"deletionGuard":{},"valueMappings":{"uid":"a/b","~":"c"}}}',
    ) as Json;
    const hubOps = jsonPatch(hub, applyHubDefaults(hub));
    expect(hubOps.map((op) => op.path).sort()).toEqual([
      '/spec/deletionGuard/maxDeletePercent',
      '/spec/deletionGuard/minDeletions',
      '/spec/source/postgresql/port',
      '/spec/source/postgresql/schema',
      '/spec/source/syncInterval',
    ]);
    expect(applyPatch(hub, hubOps)).toStrictEqual(applyHubDefaults(hub));
  });
});
