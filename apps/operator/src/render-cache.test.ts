// The render cache answers repeated renders without the host, and never serves one node's
// result to another, a failed render, or a render pinned to a clock.
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { buildVariables, compileForm } from '@lynq/render';
import { RenderHostError, type RenderNode, type RenderOutcome } from '@lynq/render/host';
import { describe, expect, it } from 'vitest';
import { RenderCache } from './render-cache.js';

const FORM: LynqForm = assertParsed(
  parseForm(`apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: h
  configMaps:
    - id: c
      nameTemplate: "{{ .uid }}-c"
      spec: { apiVersion: v1, kind: ConfigMap, data: { plan: "{{ .plan }}" } }
`),
);

/** The real renderer, in process, counting the nodes it was asked for. */
function countingHost(fail?: (node: RenderNode) => boolean) {
  const host = {
    rendered: 0,
    renderNodes(
      source: Parameters<typeof compileForm>[0],
      nodes: readonly RenderNode[],
    ): Promise<RenderOutcome[]> {
      const compiled = compileForm(source);
      host.rendered += nodes.length;
      return Promise.resolve(
        nodes.map((n): RenderOutcome =>
          fail?.(n)
            ? { ok: false, error: new RenderHostError('TIMEOUT', 'too slow', 0) }
            : { ok: true, result: compiled.render(n.variables, { namespace: n.namespace }) },
        ),
      );
    },
  };
  return host;
}

const node = (uid: string, plan = 'basic', namespace = 'ns'): RenderNode => ({
  namespace,
  variables: buildVariables({ uid, hubId: 'h', templateRef: 'f', extra: { plan } }),
});

const planOf = (o: RenderOutcome | undefined) =>
  o?.ok ? (o.result.resources[0]?.manifest?.['data'] as { plan: string }).plan : undefined;

describe('RenderCache', () => {
  it('renders each distinct node once', async () => {
    const host = countingHost();
    const cache = new RenderCache(host);
    const first = await cache.renderNodes(FORM, [node('a'), node('b')]);
    const again = await cache.renderNodes(FORM, [node('b'), node('a'), node('c')]);
    expect(host.rendered).toBe(3);
    expect(again.map(planOf)).toEqual(['basic', 'basic', 'basic']);
    expect(again[1]).toBe(first[0]);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 3, entries: 3 });
  });

  it('keys on variables, namespace, form and syntax', async () => {
    const host = countingHost();
    const cache = new RenderCache(host);
    await cache.renderNodes(FORM, [node('a')]);
    const changed = await cache.renderNodes(FORM, [node('a', 'pro')]);
    expect(planOf(changed[0])).toBe('pro');
    await cache.renderNodes(FORM, [node('a', 'basic', 'other')]);
    const edited = structuredClone(FORM);
    edited.spec.configMaps![0]!.nameTemplate = '{{ .uid }}-d';
    await cache.renderNodes(edited, [node('a')]);
    await cache.renderNodes(FORM, [node('a')], { syntax: 'nunjucks' });
    expect(host.rendered).toBe(5);
  });

  it('does not keep failures, nor renders pinned to a clock', async () => {
    let failing = true;
    const host = countingHost(() => failing);
    const cache = new RenderCache(host);
    expect((await cache.renderNodes(FORM, [node('a')]))[0]?.ok).toBe(false);
    failing = false;
    expect((await cache.renderNodes(FORM, [node('a')]))[0]?.ok).toBe(true);
    await cache.renderNodes(FORM, [node('b')], { clock: 0 });
    await cache.renderNodes(FORM, [node('b')], { clock: 0 });
    expect(host.rendered).toBe(4);
  });

  it('hands out results no caller can change for the next', async () => {
    const cache = new RenderCache(countingHost());
    const [outcome] = await cache.renderNodes(FORM, [node('a')]);
    const manifest = outcome?.ok ? outcome.result.resources[0]?.manifest : undefined;
    expect(() => {
      (manifest!['data'] as Record<string, string>)['plan'] = 'stolen';
    }).toThrow(TypeError);
    expect(planOf((await cache.renderNodes(FORM, [node('a')]))[0])).toBe('basic');
  });

  it('stays within its bounds, dropping the least recently used', async () => {
    const host = countingHost();
    const cache = new RenderCache(host, { maxEntries: 2 });
    await cache.renderNodes(FORM, [node('a'), node('b')]);
    await cache.renderNodes(FORM, [node('a')]); // a is now the most recent
    await cache.renderNodes(FORM, [node('c')]); // evicts b
    expect(cache.stats().entries).toBe(2);
    await cache.renderNodes(FORM, [node('a')]);
    expect(host.rendered).toBe(3);
    await cache.renderNodes(FORM, [node('b')]);
    expect(host.rendered).toBe(4);
    const small = new RenderCache(countingHost(), { maxChars: 100 });
    await small.renderNodes(FORM, [node('a')]);
    expect(small.stats().entries).toBe(0); // bigger than an eighth of the budget: not kept
  });
});
