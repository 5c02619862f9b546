// Hostile review: secret values must not reach the browser by any side door.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@lynq/runtime';
import { LiveState } from './live-state.js';
import { nodeDetail } from './details.js';
import { REDACTED, displayObject, redactLynqObject } from './redact.js';
import { form, node } from './testdata/objects.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('redaction against side doors', () => {
  it('redacts kubectl last-applied on a LynqForm (it holds the literal Secret values)', () => {
    const f = form('web', 'hub');
    (f.metadata as Record<string, unknown>)['annotations'] = {
      [LAST_APPLIED]: JSON.stringify(f),
      keep: 'me',
    };
    const out = redactLynqObject(f as unknown as KubeObject);
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(out.metadata['annotations']).toEqual({ [LAST_APPLIED]: REDACTED, keep: 'me' });
  });

  it("redacts last-applied in a node page's YAML", async () => {
    const n = node('n1', 'web', 'ready');
    (n.metadata as Record<string, unknown>)['annotations'] = {
      [LAST_APPLIED]: '{"spec":{"secrets":[{"spec":{"stringData":{"p":"s3cr3t-value"}}}]}}',
    };
    const state = new LiveState({ batchMs: 5 });
    state.upsertNode(n);
    state.flush();
    const detail = await nodeDetail(state, n, () => Promise.resolve(undefined));
    state.close();
    expect(detail?.yaml).toBeDefined();
    expect(detail?.yaml).not.toContain('s3cr3t-value');
  });
});

describe('secret-looking literals', () => {
  it('hides env values named like credentials and such extra values, in nodes and live objects', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'd',
        annotations: { 'lynq.sh/extra': '{"dbPassword":"pw-row-1","plan":"pro"}' },
      },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                env: [
                  { name: 'DB_PASSWORD', value: 'pw-row-1' },
                  { name: 'API_TOKEN', value: 'tok-123' },
                  { name: 'MODE', value: 'prod' },
                  { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
                ],
              },
            ],
          },
        },
      },
    };
    const text = JSON.stringify(displayObject(deployment));
    expect(text).not.toMatch(/pw-row-1|tok-123/);
    expect(text).toContain('prod');
    expect(text).toContain('pro');
    expect(text).toContain('secretKeyRef');
    const n = node('n1', 'web', 'ready');
    (n.spec as Record<string, unknown>)['deployments'] = [{ id: 'app', spec: deployment.spec }];
    (n.metadata as Record<string, unknown>)['annotations'] = deployment.metadata.annotations;
    expect(JSON.stringify(redactLynqObject(n as unknown as KubeObject))).not.toMatch(
      /pw-row-1|tok-123/,
    );
    // The input is not modified.
    expect(deployment.spec.template.spec.containers[0]?.env[0]?.value).toBe('pw-row-1');
  });
});
