import { describe, expect, it } from 'vitest';
import { groupVersionPath, parseApiVersion } from './resource-path.js';

describe('parseApiVersion', () => {
  it('splits core and grouped versions and refuses malformed ones', () => {
    expect(parseApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(parseApiVersion('operator.lynq.sh/v1')).toEqual({
      group: 'operator.lynq.sh',
      version: 'v1',
    });
    for (const bad of ['', '/v1', 'apps/', 'a/b/c']) expect(parseApiVersion(bad)).toBeUndefined();
  });
});

// Object and collection paths: @lynq/runtime's resourcePath (resource.test.ts there).
describe('groupVersionPath', () => {
  it('builds the discovery path of core and named groups', () => {
    expect(groupVersionPath('', 'v1')).toBe('/api/v1');
    expect(groupVersionPath('apps', 'v1')).toBe('/apis/apps/v1');
  });
});
