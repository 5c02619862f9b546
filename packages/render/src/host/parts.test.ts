// The host's pure parts: the read grants of a render process, the form cache both sides keep,
// and the decoding of what a render process answers (which the host does not trust).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormCache } from './form-cache.js';
import { packageReadPaths } from './read-allowlist.js';
import { checkSkeleton, decodeResult, encodeResult, skeletonOf } from './wire-result.js';
import type { FormRenderResult } from '../render-form.js';

function writePackage(dir: string, pkg: object): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
}

describe('packageReadPaths', () => {
  it('grants the dependency closure as Node resolves it, workspace packages by their files', () => {
    const root = mkdtempSync(join(tmpdir(), 'lynq-allowlist-'));
    const nm = join(root, 'node_modules');
    writePackage(join(root, 'packages/app'), {
      name: 'app',
      files: ['dist'],
      dependencies: { lib: '1', '@scope/ws': '1' },
      optionalDependencies: { absent: '1' },
    });
    writePackage(join(nm, 'lib'), { name: 'lib', dependencies: { dep: '1' } });
    writePackage(join(nm, 'lib/node_modules/dep'), { name: 'dep' }); // nested: covered by lib
    writePackage(join(root, 'packages/ws'), { name: '@scope/ws', files: ['dist/**'] });
    mkdirSync(join(nm, '@scope'));
    symlinkSync('../../packages/ws', join(nm, '@scope/ws'));
    expect(packageReadPaths(join(root, 'packages/app/dist/host/child.js'))).toEqual(
      [
        join(nm, '@scope/ws/dist'),
        join(nm, '@scope/ws/package.json'),
        join(nm, 'lib'),
        join(root, 'packages/app/dist'),
        join(root, 'packages/app/package.json'),
      ].sort(),
    );
  });

  it('names a required dependency that is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'lynq-allowlist-'));
    writePackage(join(root, 'app'), { name: 'app', dependencies: { gone: '1' } });
    expect(() => packageReadPaths(join(root, 'app/x.js'))).toThrow(
      'app depends on gone, which is not installed',
    );
  });
});

describe('FormCache', () => {
  it('evicts the least recently used form past its count or characters', () => {
    const c = new FormCache<number>(2, 100);
    c.set('a', 1, 10);
    c.set('b', 2, 10);
    c.get('a');
    c.set('c', 3, 10);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    c.set('d', 4, 95); // over 100 characters: only d stays
    expect([c.get('a'), c.get('c'), c.get('d'), c.size]).toEqual([undefined, undefined, 4, 1]);
  });
});

describe('wire results', () => {
  const result: FormRenderResult = {
    resources: [
      {
        id: 'c',
        listKey: 'configMaps',
        path: 'spec.configMaps[0]',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'x',
        namespace: undefined,
        manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
        dependIds: ['d'],
        policies: Object.freeze({
          creationPolicy: 'WhenNeeded',
          deletionPolicy: 'Delete',
          conflictPolicy: 'Stuck',
          patchStrategy: 'apply',
          waitForReady: true,
          timeoutSeconds: 300,
          skipOnDependencyFailure: true,
          ignoreFields: [],
          readyWhen: [],
        }),
        errors: [],
      },
    ],
    errors: [],
  };
  const skeleton = checkSkeleton(JSON.parse(JSON.stringify(skeletonOf(result))))!;

  it('round-trips through JSON', () => {
    const wire: unknown = JSON.parse(JSON.stringify(encodeResult(result)));
    expect(decodeResult(wire, skeleton)).toEqual(result);
  });

  it('refuses what does not have the shape of a result', () => {
    const good = encodeResult(result)[0]!;
    for (const bad of [
      null,
      {},
      [],
      [[...good.slice(0, 5)]],
      [[1, ...good.slice(1)]],
      [[...good.slice(0, 4), { metadata: 'x' }, []]],
      [[...good.slice(0, 5), [{ path: 'p' }]]],
    ])
      expect(decodeResult(bad, skeleton)).toBeUndefined();
    expect(checkSkeleton([{ id: 'c' }])).toBeUndefined();
    expect(checkSkeleton('x')).toBeUndefined();
  });
});
