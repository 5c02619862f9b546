// Hostile review: secret values must not reach the browser by any side door.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@lynq/runtime';
import { LiveState } from './live-state.js';
import { nodeDetail } from './details.js';
import { REDACTED, redactLynqObject } from './redact.js';
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
