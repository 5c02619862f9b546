import { describe, expect, it } from 'vitest';
import { groupVersionPath, parseApiVersion, resourcePath } from './resource-path.js';

const configmaps = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const namespaces = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };
const crds = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  namespaced: false,
};

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

describe('resourcePath', () => {
  it('builds core and group paths for objects and collections', () => {
    expect(groupVersionPath('', 'v1')).toBe('/api/v1');
    expect(groupVersionPath('apps', 'v1')).toBe('/apis/apps/v1');
    expect(resourcePath(configmaps, { namespace: 'ns', name: 'cm' })).toBe(
      '/api/v1/namespaces/ns/configmaps/cm',
    );
    expect(resourcePath(deployments, { namespace: 'ns' })).toBe(
      '/apis/apps/v1/namespaces/ns/deployments',
    );
    expect(resourcePath(deployments)).toBe('/apis/apps/v1/deployments');
  });

  it('never puts a namespace into the path of a cluster-scoped kind', () => {
    expect(resourcePath(namespaces, { namespace: 'ignored', name: 'tenant-a' })).toBe(
      '/api/v1/namespaces/tenant-a',
    );
    expect(resourcePath(crds, { namespace: 'x', name: 'widgets.example.com' })).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
  });

  it('escapes path segments', () => {
    expect(resourcePath(configmaps, { namespace: 'ns', name: 'a/b?c' })).toBe(
      '/api/v1/namespaces/ns/configmaps/a%2Fb%3Fc',
    );
  });
});
