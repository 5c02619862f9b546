import { Resources } from '@lynq/api';
import { describe, expect, it } from 'vitest';
import { resourcePath, resourceType } from './resource.js';

const crds = resourceType(
  'apiextensions.k8s.io/v1',
  'CustomResourceDefinition',
  'customresourcedefinitions',
  false,
);

describe('resourcePath', () => {
  it('builds core and group paths for objects and collections', () => {
    expect(resourcePath(Resources.ConfigMap, 'ns', 'cm')).toBe(
      '/api/v1/namespaces/ns/configmaps/cm',
    );
    expect(resourcePath(Resources.Deployment, 'ns')).toBe(
      '/apis/apps/v1/namespaces/ns/deployments',
    );
    expect(resourcePath(Resources.Deployment)).toBe('/apis/apps/v1/deployments');
    expect(resourcePath(Resources.Hub, 'team-a', 'h')).toBe(
      '/apis/operator.lynq.sh/v1/namespaces/team-a/lynqhubs/h',
    );
  });

  it('never puts a namespace into the path of a cluster-scoped kind', () => {
    expect(resourcePath(Resources.Namespace, 'ignored', 'tenant-a')).toBe(
      '/api/v1/namespaces/tenant-a',
    );
    expect(resourcePath(crds, 'x', 'widgets.example.com')).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
    );
  });

  it('escapes every segment', () => {
    expect(resourcePath(Resources.ConfigMap, 'ns', 'a/b?c')).toBe(
      '/api/v1/namespaces/ns/configmaps/a%2Fb%3Fc',
    );
    // apiVersion and plural come from discovery, which a hostile aggregated API server answers.
    const odd = { apiVersion: 'ex ample.com/v1?x', kind: 'Odd', plural: 'o#dds', namespaced: true };
    expect(resourcePath(odd, 'n s')).toBe('/apis/ex%20ample.com/v1%3Fx/namespaces/n%20s/o%23dds');
  });
});

describe('resourceType', () => {
  it('refuses a plural that is not a lower-case resource name', () => {
    expect(() => resourceType('v1', 'ConfigMap', 'ConfigMaps')).toThrow(/plural/);
  });
});
