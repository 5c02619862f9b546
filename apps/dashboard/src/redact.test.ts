import { describe, expect, it } from 'vitest';
import { REDACTED, datasourceView, displayObject, redactLynqObject } from './redact.js';
import { form, hub } from './testdata/objects.js';

describe('redaction', () => {
  it('hides Secret values in a form, keeps their keys and everything else', () => {
    const f = form('web', 'hub');
    const out = redactLynqObject(f as never) as unknown as typeof f;
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(out.spec.secrets?.[0]?.spec['stringData']).toEqual({ password: REDACTED });
    expect(out.spec.configMaps?.[0]?.spec['data']).toEqual({ a: '1' });
    // The input is not modified.
    expect(f.spec.secrets?.[0]?.spec['stringData']).toEqual({ password: 'hunter2' });
  });

  it('hides a Secret among manifests', () => {
    const f = form('web', 'hub');
    (f.spec as Record<string, unknown>)['manifests'] = [
      { id: 'm', spec: { apiVersion: 'v1', kind: 'Secret', data: { token: 'c2VjcmV0' } } },
    ];
    expect(JSON.stringify(redactLynqObject(f as never))).not.toContain('c2VjcmV0');
  });

  it('redacts live Secrets, including kubectl last-applied, and drops managedFields', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        managedFields: [{ manager: 'x' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"k":"dmFsdWU="}}',
        },
      },
      data: { k: 'dmFsdWU=' },
    };
    const out = displayObject(live);
    expect(JSON.stringify(out)).not.toContain('dmFsdWU=');
    expect(out.metadata['managedFields']).toBeUndefined();
  });

  it('shows a datasource without its password: only the Secret reference', () => {
    const v = datasourceView(hub('h', true));
    expect(v).toMatchObject({
      type: 'mysql',
      host: 'db',
      table: 'nodes',
      password: 'from Secret db-secret (key password)',
    });
  });

  it('shows only the key names of a plugin config', () => {
    const h = hub('h', true);
    h.spec.source = {
      type: 'csv',
      syncInterval: '1m',
      config: { dsn: 'postgres://u:pw@x/db', path: '/x' },
    };
    const v = datasourceView(h);
    expect(JSON.stringify(v)).not.toContain('pw@');
    expect(v['config keys']).toBe('dsn, path');
  });
});
