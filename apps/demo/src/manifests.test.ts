// The manifests users read and the Go project accepts: valid for @lynq/api's admission checks, and
// rendering per tenant what the README says.
import { assertParsed, parseForm, parseHub } from '@lynq/api';
import { buildVariables, renderForm, validateTemplates } from '@lynq/render';
import { describe, expect, it } from 'vitest';
import { readManifests } from './manifests.js';
import { TABLE, seedRows } from './tenants.js';

const [namespace, hub, form] = readManifests();

describe('manifests', () => {
  it('are the namespace, a hub reading the demo table, and a form of that hub', () => {
    expect(namespace).toMatchObject({ kind: 'Namespace', metadata: { name: 'lynq-demo' } });
    const parsedHub = assertParsed(parseHub(hub));
    expect(parsedHub.metadata.namespace).toBe('lynq-demo');
    expect(parsedHub.spec.source.mysql?.table).toBe(TABLE);
    expect(parsedHub.spec.source.syncInterval).toBe('5s');
    const parsedForm = assertParsed(parseForm(form, { checks: [validateTemplates] }));
    expect(parsedForm.spec.hubId).toBe(parsedHub.metadata.name);
  });

  it('give each tenant a ConfigMap, a Deployment with the row’s replicas, a Service and an Ingress', () => {
    const parsed = assertParsed(parseForm(form, { checks: [validateTemplates] }));
    const variables = buildVariables({
      uid: 'acme',
      hubId: 'demo-tenants',
      templateRef: 'web',
      extra: { plan: 'pro', replicas: '3' },
    });
    const { resources, errors } = renderForm(parsed, variables, { namespace: 'lynq-demo' });
    expect(errors).toEqual([]);
    expect(resources.map((r) => [r.kind, r.name, r.dependIds])).toEqual([
      ['Deployment', 'acme-app', ['config']],
      ['Service', 'acme-web', ['app']],
      ['Ingress', 'acme-web', ['svc']],
      ['ConfigMap', 'acme-config', []],
    ]);
    const deployment = resources.find((r) => r.kind === 'Deployment')?.manifest;
    expect(deployment).toMatchObject({ spec: { replicas: 3 } });
  });

  it('default to one replica when the column is empty', () => {
    const parsed = assertParsed(parseForm(form));
    const variables = buildVariables({ uid: 'b', extra: { plan: '', replicas: '' } });
    const { resources } = renderForm(parsed, variables, { namespace: 'lynq-demo' });
    expect(resources.find((r) => r.kind === 'Deployment')?.manifest).toMatchObject({
      spec: { replicas: 1 },
    });
  });
});

describe('tenants.csv', () => {
  it('holds the three seed rows: tenant_id, is_active, plan, replicas', () => {
    expect(seedRows()).toEqual([
      ['acme', '1', 'pro', '2'],
      ['globex', '1', 'basic', '1'],
      ['initech', '1', 'enterprise', '3'],
    ]);
  });
});
