// RenderHost with real render processes: what it renders is what renderForm renders in-process,
// forms are compiled once per process, and the host's own failures are typed outcomes.
import { readFileSync } from 'node:fs';
import { assertParsed, parseForm, type LynqForm } from '@lynq/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForm } from '../render-form.js';
import { templateCheck, validateTemplates } from '../validate-templates.js';
import { buildVariables } from '../variables.js';
import { RenderHost, RenderHostError, type RenderNode } from './index.js';
import { buildForTests } from './testdata/build.js';

const seedForm = (): LynqForm =>
  assertParsed(
    parseForm(readFileSync(new URL('../testdata/seed-form.yaml', import.meta.url), 'utf8'), {
      checks: [validateTemplates],
    }),
  );

function form(spec: string): LynqForm {
  return assertParsed(
    parseForm(
      `apiVersion: operator.lynq.sh/v1\nkind: LynqForm\nmetadata:\n  name: f\nspec:\n  hubId: h\n${spec}`,
    ),
  );
}

/** Keys that are special to JavaScript objects, through every way a template builds a map. */
const TRICKY = form(`
  configMaps:
    - id: tricky
      nameTemplate: "{{ .uid }}-tricky"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data:
          dict: '{{ dict "constructor" "c" "toString" "t" "__proto__" "p" "valueOf" .uid | toJson }}'
          merged: '{{ merge (dict "hasOwnProperty" "h") (fromJson "{\\"__proto__\\": {\\"polluted\\": 1}}") | toJson }}'
          yaml: '{{ fromYaml "constructor: {prototype: 1}" | toYaml }}'
          now: '{{ now | date "2006-01-02T15:04:05Z07:00" }}'
          missing: '{{ .nope }}'
          # Static keys that name Object.prototype members: an own key in the manifest, as in-process
          # (the render process's frozen prototypes must not turn these into errors).
          toString: static
          constructor: '{{ .uid }}'
          valueOf: v
          hasOwnProperty: h
`);

const nodes = (n: number): RenderNode[] =>
  Array.from({ length: n }, (_x, i) => ({
    namespace: `ns-${i % 3}`,
    variables: buildVariables({
      uid: `tenant-${i}`,
      hubId: 'my-saas-hub',
      templateRef: 'web-app',
      extra: { planId: ['basic', 'pro', ''][i % 3]!, deployImage: i % 2 ? `img:${i}` : '' },
    }),
  }));

const CLOCK = Date.parse('2026-01-02T03:04:05Z');

function inProcess(f: LynqForm, list: RenderNode[]) {
  const compiled = compileForm(f);
  return list.map((n) =>
    compiled.render(n.variables, { namespace: n.namespace, clock: () => CLOCK }),
  );
}

let host: RenderHost;
beforeAll(async () => {
  await buildForTests();
  host = await RenderHost.start({ processes: 2 });
});
afterAll(() => host?.close());

describe('RenderHost.renderNodes', () => {
  it('renders what renderForm renders in-process', async () => {
    const list = nodes(500);
    const outcomes = await host.renderNodes(seedForm(), list, { clock: CLOCK });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.map((o) => o.ok && o.result)).toEqual(inProcess(seedForm(), list));
  });

  it('renders keys that are special to JavaScript, and template errors, as in-process', async () => {
    const list = nodes(3);
    const outcomes = await host.renderNodes(TRICKY, list, { clock: CLOCK });
    const expected = inProcess(TRICKY, list);
    expect(expected[0]!.errors).toHaveLength(1); // `.nope` is missing
    expect(outcomes.map((o) => o.ok && o.result)).toEqual(expected);
    // Nothing of it reached this process's prototypes.
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('sends a form to each process once, then only the rows', async () => {
    const f = form(`
  secrets:
    - id: s
      nameTemplate: "{{ .uid }}-s"
      spec: { apiVersion: v1, kind: Secret, stringData: { a: "{{ .uid | upper }}" } }
`);
    const before = host.stats().formsSent;
    await host.renderNodes(f, nodes(40));
    await host.renderNodes(f, nodes(40));
    expect(host.stats().formsSent - before).toBeLessThanOrEqual(2); // one per process at most
    // The same text under another object is the same form.
    await host.renderNodes(structuredClone(f), nodes(40));
    expect(host.stats().formsSent - before).toBeLessThanOrEqual(2);
  });

  it('refuses nunjucks forms unless allowNunjucks, like the engine', async () => {
    const nj = form(`
  templateSyntax: nunjucks
  configMaps:
    - id: c
      nameTemplate: "{{ uid }}-c"
      spec: { apiVersion: v1, kind: ConfigMap, data: { plan: "{{ planId | upper }}" } }
`);
    const list = nodes(2);
    const [refused] = await host.renderNodes(nj, list);
    expect(refused!.ok && refused!.result.errors.map((e) => e.path)).toEqual([
      'spec.templateSyntax',
    ]);
    const allowing = await RenderHost.start({ allowNunjucks: true });
    try {
      const outcomes = await allowing.renderNodes(nj, list);
      const compiled = compileForm(nj, { allowNunjucks: true });
      expect(outcomes.map((o) => o.ok && o.result)).toEqual(
        list.map((n) =>
          compiled.render(n.variables, { namespace: n.namespace, allowNunjucks: true }),
        ),
      );
      expect(await allowing.validateForm(nj)).toEqual(templateCheck({ allowNunjucks: true })(nj));
    } finally {
      await allowing.close();
    }
  });

  it('passes its time budget to the engine, which fails a long render cleanly', async () => {
    const slow = await RenderHost.start({ renderTimeoutMs: 300, limits: { maxSteps: 1e12 } });
    try {
      const f = form(`
  configMaps:
    - id: slow
      nameTemplate: "{{ .uid }}"
      spec:
        apiVersion: v1
        kind: ConfigMap
        data: { x: "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}" }
`);
      const [outcome] = await slow.renderNodes(f, nodes(1));
      expect(outcome!.ok).toBe(true);
      expect(outcome!.ok && outcome!.result.errors[0]!.message).toMatch(/time budget of 300 ms/);
      expect(slow.stats().replaced.TIMEOUT).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('reports nodes it cannot send as INVALID_INPUT and renders the others', async () => {
    const list: RenderNode[] = [
      ...nodes(2),
      { namespace: 'x', variables: { uid: 'fn', f: () => 1 } },
      { namespace: 7 as unknown as string, variables: { uid: 'n' } },
      { namespace: 'x', variables: null as unknown as Record<string, unknown> },
    ];
    const outcomes = await host.renderNodes(seedForm(), list);
    expect(outcomes.slice(0, 2).every((o) => o.ok)).toBe(true);
    for (const [i, text] of [
      [2, /node 2: cannot be sent to a render process/],
      [3, /node 3: namespace must be a string, got number/],
      [4, /node 4: variables must be an object/],
    ] as const) {
      const o = outcomes[i]!;
      expect(o.ok).toBe(false);
      expect(!o.ok && o.error).toMatchObject({ code: 'INVALID_INPUT', nodeIndex: i });
      expect(!o.ok && o.error.message).toMatch(text);
    }
  });

  it('fails every node with ABORTED when the signal fires, and goes on working', async () => {
    const controller = new AbortController();
    const pending = host.renderNodes(seedForm(), nodes(3000), { signal: controller.signal });
    controller.abort();
    const outcomes = await pending;
    expect(outcomes.some((o) => !o.ok && o.error.code === 'ABORTED')).toBe(true);
    expect(outcomes.every((o) => o.ok || o.error.code === 'ABORTED')).toBe(true);
    const already = await host.renderNodes(seedForm(), nodes(2), { signal: AbortSignal.abort() });
    expect(already.map((o) => !o.ok && o.error.code)).toEqual(['ABORTED', 'ABORTED']);
    expect((await host.renderNodes(seedForm(), nodes(2))).every((o) => o.ok)).toBe(true);
  });

  it('fails every node with CRASHED when the form breaks the compiler, and goes on working', async () => {
    // Not a parsed form: a resource without spec makes compileForm throw (in-process too).
    const broken = { spec: { configMaps: [{ id: 'c', nameTemplate: 'x' }] } } as never;
    const outcomes = await host.renderNodes(broken, nodes(3));
    for (const o of outcomes) {
      expect(o).toMatchObject({ ok: false, error: { code: 'CRASHED' } });
      expect(!o.ok && o.error.message).toMatch(/^node \d: failed in the render process: TypeError/);
    }
    expect((await host.renderNodes(seedForm(), nodes(1)))[0]!.ok).toBe(true);
  });
});

describe('RenderHost.validateForm', () => {
  it('returns what validateTemplates returns', async () => {
    const bad = form(`
  configMaps:
    - id: c
      nameTemplate: "{{ .uid "
      labelsTemplate: { a: '{{ fail "needs a row" }}' }
      spec: { apiVersion: v1, kind: ConfigMap, data: { x: "{{ end }}" } }
`);
    for (const f of [seedForm(), bad])
      expect(await host.validateForm(f)).toEqual(validateTemplates(f));
    expect((await host.validateForm(bad)).errors).toHaveLength(2);
  });
});

describe('RenderHost.start', () => {
  it('checks its options', async () => {
    await expect(RenderHost.start({ processes: 0 })).rejects.toThrow(
      'RenderHost option processes must be a positive integer, got 0',
    );
    await expect(RenderHost.start({ limits: { maxSteps: -1 } })).rejects.toThrow(/maxSteps/);
  });

  it('says why a render process could not start', async () => {
    await expect(RenderHost.start({ startTimeoutMs: 1 })).rejects.toThrow(
      'the render process did not start within 1 ms',
    );
    await expect(RenderHost.start({ memoryLimitMb: 4 })).rejects.toThrow(
      /^the render process ran out of memory: FATAL ERROR: .*heap out of memory$/,
    );
  });
});

describe('RenderHost.close', () => {
  it('fails pending work with CLOSED, then refuses new work', async () => {
    const h = await RenderHost.start();
    const pending = h.renderNodes(seedForm(), nodes(2000));
    const validating = h.validateForm(seedForm()).catch((err: unknown) => err);
    await h.close();
    const outcomes = await pending;
    expect(outcomes.some((o) => !o.ok && o.error.code === 'CLOSED')).toBe(true);
    expect(await validating).toBeInstanceOf(RenderHostError);
    expect(await validating).toMatchObject({ code: 'CLOSED' });
    const after = await h.renderNodes(seedForm(), nodes(1));
    expect(!after[0]!.ok && after[0]!.error.code).toBe('CLOSED');
    await expect(h.validateForm(seedForm())).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
