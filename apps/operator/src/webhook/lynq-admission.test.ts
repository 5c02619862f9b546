import { HOST_OR_URL_DEPRECATION, Webhooks, type LynqForm } from '@lynq/api';
import { validateTemplates } from '@lynq/render';
import { describe, expect, it } from 'vitest';
import {
  BadReviewError,
  leadingUid,
  readAdmissionReview,
  type AdmissionRequest,
  type Operation,
} from './admission-review.js';
import {
  ADMISSION_ROUTES,
  LynqAdmission,
  denialMessage,
  type AdmissionRoute,
} from './lynq-admission.js';

const route = (path: string): AdmissionRoute => ADMISSION_ROUTES.get(path)!;
const budget = { templateBudgetMs: 5_000 };
const admission = new LynqAdmission({ templates: validateTemplates });

const configMap = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  nameTemplate: `{{ .uid }}-${id}`,
  spec: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
  ...extra,
});

const formObject = (spec: Record<string, unknown>, name = 'web') => ({
  apiVersion: 'operator.lynq.sh/v1',
  kind: 'LynqForm',
  metadata: { name, namespace: 'apps' },
  spec: { hubId: 'tenants', ...spec },
});

const hubObject = (
  valueMappings: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  apiVersion: 'operator.lynq.sh/v1',
  kind: 'LynqHub',
  metadata: { name: 'tenants', namespace: 'apps' },
  spec: {
    source: {
      type: 'mysql',
      syncInterval: '1m',
      mysql: { host: 'db', port: 3306, username: 'u', database: 'd', table: 't' },
    },
    valueMappings,
    ...extra,
  },
});

function request(
  kind: 'LynqHub' | 'LynqForm',
  operation: Operation,
  object: unknown,
  oldObject?: unknown,
): AdmissionRequest {
  return {
    uid: 'req-1',
    kind: { group: 'operator.lynq.sh', version: 'v1', kind },
    operation,
    namespace: 'apps',
    ...(object !== undefined ? { object } : {}),
    ...(oldObject !== undefined ? { oldObject } : {}),
  };
}

const decodePatch = (patch: string | undefined): unknown =>
  patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));

describe('readAdmissionReview', () => {
  const review = (request: unknown) =>
    JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });

  it('reads the request of a v1 AdmissionReview; null objects are absent', () => {
    const req = readAdmissionReview(
      review({
        uid: 'u1',
        kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
        operation: 'DELETE',
        name: 'web',
        namespace: 'apps',
        object: null,
        oldObject: { a: 1 },
        dryRun: true,
      }),
    );
    expect(req).toEqual({
      uid: 'u1',
      kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
      operation: 'DELETE',
      name: 'web',
      namespace: 'apps',
      oldObject: { a: 1 },
      dryRun: true,
    });
  });

  it.each([
    ['{', /the body is not JSON/],
    ['[]', /not an AdmissionReview object/],
    [
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }),
      /admissionReviewVersions: \[v1\]/,
    ],
    [review(undefined), /request is missing/],
    [review({ kind: { kind: 'LynqHub' }, operation: 'CREATE' }), /request.uid is missing/],
    [review({ uid: 'u', operation: 'CREATE' }), /request.kind is missing/],
    [
      review({ uid: 'u', kind: { kind: 'LynqHub' }, operation: 'PATCH' }),
      /request.operation must be one of/,
    ],
  ])('refuses %s with a BadReviewError saying why', (body, message) => {
    expect(() => readAdmissionReview(body)).toThrow(BadReviewError);
    expect(() => readAdmissionReview(body)).toThrow(message);
  });

  const formRequest = (object: unknown, extra: Record<string, unknown> = {}) =>
    review({
      uid: 'u',
      kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
      operation: 'CREATE',
      object,
      ...extra,
    });

  it('refuses bodies nested past any form before parsing them, quickly, at any depth', () => {
    // The deepest object @lynq/api accepts (1,000 levels) still reaches the validation.
    const deepest = `{"spec":${'['.repeat(998)}${']'.repeat(998)}}`;
    expect(readAdmissionReview(formRequest(JSON.parse(deepest))).object).toBeDefined();
    for (const depth of [1_001, 10_000, 4_000_000]) {
      const body = formRequest({ spec: 'HOLE' }).replace(
        '"HOLE"',
        '['.repeat(depth) + ']'.repeat(depth),
      );
      const started = performance.now();
      expect(() => readAdmissionReview(body)).toThrow(
        /the body is nested more than 1003 levels deep \(at character \d+\); no LynqHub or LynqForm is/,
      );
      // JSON.parse alone takes seconds on 4 million levels (and every step after it recurses).
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('refuses a body of millions of tiny values before JSON.parse turns it into hundreds of MB', () => {
    const empties = formRequest({ spec: 'HOLE' }).replace(
      '"HOLE"',
      `[${Array<string>(2_700_000).fill('{}').join(',')}]`,
    );
    expect(empties.length).toBeGreaterThan(8_000_000);
    const started = performance.now();
    expect(() => readAdmissionReview(empties)).toThrow(
      'the body holds more than 250000 JSON values; no LynqHub or LynqForm does',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const template = `{{ if .x }}[[{{ .y }}]],\\"{{{{ end }}${'{'.repeat(5_000)}`;
    const body = formRequest({ spec: { nameTemplate: template, list: ['a\\', '"[', ']'] } });
    // Exactly: review, request, object, spec, list; 16 values (containers and commas).
    expect(readAdmissionReview(body, { maxDepth: 5, maxValues: 16 }).object).toEqual({
      spec: { nameTemplate: template, list: ['a\\', '"[', ']'] },
    });
    expect(() => readAdmissionReview(body, { maxDepth: 4, maxValues: 16 })).toThrow(/4 levels/);
    expect(() => readAdmissionReview(body, { maxDepth: 5, maxValues: 15 })).toThrow(/15 JSON/);
  });

  it('finds the uid of a refused body where the API server writes it, and only there', () => {
    const body = formRequest({ metadata: { uid: 'not-this-one' } });
    expect(leadingUid(body)).toBe('u');
    expect(leadingUid(body.replace('"uid":"u"', '"uid":"a\\"b"'))).toBeUndefined();
    expect(leadingUid(`${' '.repeat(5_000)}${body}`)).toBeUndefined();
    expect(leadingUid('{"request":{"kind":{},"uid":"late"}}')).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8, instead of reading them with replacement characters', () => {
    const bytes = Buffer.concat([
      Buffer.from(formRequest({ metadata: { name: 'x' } }).replace('"x"', '"')),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}}'),
    ]);
    expect(() => readAdmissionReview(bytes)).toThrow('the body is not UTF-8 text');
    const utf8 = Buffer.from(formRequest({ metadata: { name: 'ünïcödé-✓' } }));
    expect(readAdmissionReview(utf8).object).toEqual({ metadata: { name: 'ünïcödé-✓' } });
  });

  it('refuses a uid, name or kind longer than any the API server sends (they are echoed and logged)', () => {
    const long = 'x'.repeat(254);
    expect(() => readAdmissionReview(formRequest({}, { uid: long }))).toThrow(
      'request.uid is longer than 253 characters',
    );
    expect(() => readAdmissionReview(formRequest({}, { name: long }))).toThrow(
      'request.name is longer than 253 characters',
    );
    expect(() =>
      readAdmissionReview(formRequest({}, { kind: { group: long, kind: 'LynqForm' } })),
    ).toThrow('request.kind.group is longer than 253 characters');
  });

  it('takes __proto__ and constructor keys as plain data, changing no prototype', () => {
    const body = formRequest({ spec: 'HOLE' }).replace(
      '"HOLE"',
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    const req = readAdmissionReview(body);
    const spec = (req.object as { spec: Record<string, unknown> }).spec;
    expect(Object.keys(spec)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('mutating webhooks', () => {
  it('fills in the policy defaults of every form resource as a base64 JSON Patch', async () => {
    const res = await admission.review(
      route(Webhooks.MutateFormPath),
      request(
        'LynqForm',
        'CREATE',
        formObject({ configMaps: [configMap('a', { deletionPolicy: 'Retain' })] }),
      ),
      budget,
    );
    expect(res).toMatchObject({ uid: 'req-1', allowed: true, patchType: 'JSONPatch' });
    expect(decodePatch(res.patch)).toEqual(
      expect.arrayContaining([
        { op: 'add', path: '/spec/templateSyntax', value: 'go' },
        { op: 'add', path: '/spec/configMaps/0/creationPolicy', value: 'WhenNeeded' },
        { op: 'add', path: '/spec/configMaps/0/conflictPolicy', value: 'Stuck' },
        { op: 'add', path: '/spec/configMaps/0/timeoutSeconds', value: 300 },
        { op: 'add', path: '/spec/configMaps/0/waitForReady', value: true },
      ]),
    );
    expect(JSON.stringify(decodePatch(res.patch))).not.toContain('deletionPolicy');
  });

  it('sets the hub defaults (syncInterval, port) where empty, and sends no patch when nothing changes', async () => {
    const hub = hubObject({ uid: 'id', activate: 'on' });
    hub.spec.source.syncInterval = '';
    hub.spec.source.mysql.port = 0;
    const res = await admission.review(
      route(Webhooks.MutateHubPath),
      request('LynqHub', 'CREATE', hub),
      budget,
    );
    expect(decodePatch(res.patch)).toEqual([
      { op: 'replace', path: '/spec/source/syncInterval', value: '30s' },
      { op: 'replace', path: '/spec/source/mysql/port', value: 3306 },
    ]);
    const complete = hubObject({ uid: 'id', activate: 'on' });
    const same = await admission.review(
      route(Webhooks.MutateHubPath),
      request('LynqHub', 'UPDATE', complete),
      budget,
    );
    expect(same).toEqual({ uid: 'req-1', allowed: true });
  });

  it('leaves what it cannot read to validation', async () => {
    const res = await admission.review(
      route(Webhooks.MutateFormPath),
      request('LynqForm', 'CREATE', {
        apiVersion: 'operator.lynq.sh/v1',
        kind: 'LynqForm',
        spec: 'x',
      }),
      budget,
    );
    expect(res).toEqual({ uid: 'req-1', allowed: true });
  });
});

describe('validating webhooks', () => {
  it('refuses a form with every error, each with its field path, naming the form', async () => {
    const res = await admission.review(
      route(Webhooks.ValidateFormPath),
      request(
        'LynqForm',
        'CREATE',
        formObject({
          configMaps: [
            configMap('a', { dependIds: ['b'] }),
            configMap('b', { dependIds: ['a'] }),
            configMap('a'),
            configMap('t', { nameTemplate: '{{ .uid | | trim }}' }),
            configMap('j', { ignoreFields: ['$.data[?(@.x =='] }),
          ],
        }),
      ),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    const message = res.status!.message;
    expect(message).toMatch(/^LynqForm apps\/web is invalid \(\d+ errors\):\n/);
    expect(message).toContain(
      'spec.configMaps[0].dependIds[0]: dependency validation failed: circular dependency detected: a -> b -> a',
    );
    expect(message).toContain('spec.configMaps[2].id: duplicate resource ID "a"');
    expect(message).toContain('spec.configMaps[3].nameTemplate: invalid template');
    expect(message).toContain('spec.configMaps[4].ignoreFields[0]: ignoreFields validation failed');
    expect(res.status!.details).toMatchObject({ group: 'operator.lynq.sh', kind: 'LynqForm' });
    expect(res.status!.details!.causes!.map((c) => c.field)).toEqual(
      expect.arrayContaining(['spec.configMaps[0].dependIds[0]', 'spec.configMaps[2].id']),
    );
  });

  it('refuses a hub missing its mappings and passes the hostOrUrl deprecation as a warning', async () => {
    const res = await admission.review(
      route(Webhooks.ValidateHubPath),
      request('LynqHub', 'CREATE', hubObject({ uid: '', activate: '', hostOrUrl: 'url' })),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toBe(
      'LynqHub apps/tenants is invalid (2 errors):\n  spec.valueMappings.uid: is required\n  spec.valueMappings.activate: is required',
    );
    expect(res.warnings).toEqual([`spec.valueMappings.hostOrUrl: ${HOST_OR_URL_DEPRECATION}`]);
    const ok = await admission.review(
      route(Webhooks.ValidateHubPath),
      request('LynqHub', 'CREATE', hubObject({ uid: 'id', activate: 'on', hostOrUrl: 'url' })),
      budget,
    );
    expect(ok.allowed).toBe(true);
    expect(ok.warnings).toHaveLength(1);
  });

  it('accepts plugin source types only when the plugin is loaded', async () => {
    const hub = { ...hubObject({ uid: 'id', activate: 'on' }) };
    hub.spec = { ...hub.spec, source: { type: 'memory', config: {} } as never };
    const without = await admission.review(
      route(Webhooks.ValidateHubPath),
      request('LynqHub', 'CREATE', hub),
      budget,
    );
    expect(without.status?.message).toContain('spec.source.type: unknown source type "memory"');
    const withPlugin = new LynqAdmission({
      templates: validateTemplates,
      pluginSourceTypes: ['memory'],
    });
    expect(
      (
        await withPlugin.review(
          route(Webhooks.ValidateHubPath),
          request('LynqHub', 'CREATE', hub),
          budget,
        )
      ).allowed,
    ).toBe(true);
  });

  it('refuses a change of spec.hubId on UPDATE, naming old and new', async () => {
    const old = formObject({ configMaps: [configMap('a')] });
    const changed = { ...old, spec: { ...old.spec, hubId: 'other' } };
    const res = await admission.review(
      route(Webhooks.ValidateFormPath),
      request('LynqForm', 'UPDATE', changed, old),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toBe(
      'LynqForm apps/web is invalid: spec.hubId: hubId is immutable (was "tenants", now "other"): create a new LynqForm instead',
    );
  });

  it('allows DELETE, metadata-only updates and objects being deleted without checking them', async () => {
    const bad = formObject({ configMaps: [configMap('a', { dependIds: ['a'] })] });
    const v = route(Webhooks.ValidateFormPath);
    expect((await admission.review(v, request('LynqForm', 'CREATE', bad), budget)).allowed).toBe(
      false,
    );
    expect(
      await admission.review(v, request('LynqForm', 'DELETE', undefined, bad), budget),
    ).toEqual({
      uid: 'req-1',
      allowed: true,
    });
    const relabelled = { ...bad, metadata: { ...bad.metadata, labels: { a: 'b' } } };
    expect(
      (await admission.review(v, request('LynqForm', 'UPDATE', relabelled, bad), budget)).allowed,
    ).toBe(true);
    const deleting = {
      ...bad,
      metadata: { ...bad.metadata, deletionTimestamp: '2026-07-01T00:00:00Z', finalizers: [] },
      spec: { ...bad.spec, configMaps: [] },
    };
    expect(
      (await admission.review(v, request('LynqForm', 'UPDATE', deleting, bad), budget)).allowed,
    ).toBe(true);
  });

  it('refuses the form with the reason when the template check cannot run in time', async () => {
    const slow = new LynqAdmission({
      templates: () => new Promise<never>(() => {}),
    });
    const started = Date.now();
    const res = await slow.review(
      route(Webhooks.ValidateFormPath),
      request('LynqForm', 'CREATE', formObject({ configMaps: [configMap('a')] })),
      { templateBudgetMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toBe(
      'LynqForm apps/web is invalid: spec: template check failed: it did not finish within 200 ms (render processes busy)',
    );
    const crashing = new LynqAdmission({
      templates: (_: LynqForm) => Promise.reject(new Error('the render process ran out of memory')),
    });
    const crashed = await crashing.review(
      route(Webhooks.ValidateFormPath),
      request('LynqForm', 'CREATE', formObject({ configMaps: [configMap('a')] })),
      budget,
    );
    expect(crashed.status!.message).toContain(
      'template check failed: the render process ran out of memory',
    );
  });

  it('refuses a request for another kind with 400, saying to check the rules', async () => {
    const res = await admission.review(
      route(Webhooks.ValidateHubPath),
      request('LynqForm', 'CREATE', formObject({})),
      budget,
    );
    expect(res).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(res.status!.message).toMatch(/admits LynqHub .* got LynqForm/);
  });

  it('names an object by its generateName when the name is not set yet', async () => {
    const form = formObject({ configMaps: [configMap('a', { dependIds: ['x'] })] });
    const generated = { ...form, metadata: { namespace: 'apps', generateName: 'web-' } };
    const res = await admission.review(
      route(Webhooks.ValidateFormPath),
      request('LynqForm', 'CREATE', generated),
      budget,
    );
    expect(res.status!.message).toMatch(
      /^LynqForm apps\/web-<generated> is invalid: spec.configMaps\[0\].dependIds\[0\]: /,
    );
  });
});

describe('hostile forms', () => {
  const validate = route(Webhooks.ValidateFormPath);
  const mutate = route(Webhooks.MutateFormPath);

  it('keeps __proto__ and constructor members as data: refused where unknown, patched around where kept', async () => {
    const object = JSON.parse(
      JSON.stringify(formObject({ configMaps: [configMap('a')] })).replace(
        '"data":{"a":"b"}',
        '"data":{"__proto__":"p","constructor":"c","a/b~c":"d"}',
      ),
    ) as Record<string, unknown>;
    const ok = await admission.review(validate, request('LynqForm', 'CREATE', object), budget);
    expect(ok.allowed).toBe(true);
    const patched = await admission.review(mutate, request('LynqForm', 'CREATE', object), budget);
    const ops = decodePatch(patched.patch) as { path: string }[];
    expect(ops.every((op) => op.path.startsWith('/spec/'))).toBe(true);
    const polluted = JSON.parse(
      JSON.stringify(formObject({})).replace('"spec":{', '"spec":{"__proto__":{"hubId":"x"},'),
    ) as unknown;
    const refused = await admission.review(
      validate,
      request('LynqForm', 'CREATE', polluted),
      budget,
    );
    expect(refused.status!.message).toContain('spec.__proto__: unknown field');
    expect(({} as Record<string, unknown>)['hubId']).toBeUndefined();
  });

  it('lists the first 20 of 3,000 errors, 100 causes, clipped; never the whole form back', async () => {
    const id = 'x'.repeat(2_000);
    const form = formObject({
      configMaps: Array.from({ length: 3_000 }, (_, i) => configMap(`r${i}`, { dependIds: [id] })),
    });
    const res = await admission.review(validate, request('LynqForm', 'CREATE', form), budget);
    expect(res.allowed).toBe(false);
    const lines = res.status!.message.split('\n');
    expect(lines[0]).toBe('LynqForm apps/web is invalid (3000 errors):');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  ... and 2980 more');
    expect(res.status!.details!.causes).toHaveLength(100);
    expect(JSON.stringify(res).length).toBeLessThan(150_000);
    expect(res.status!.details!.causes![0]!.message.length).toBeLessThanOrEqual(1024);
  });

  it('admits a form with a 20,000-resource dependency chain: checked without recursion per resource', async () => {
    const chain = formObject({
      configMaps: Array.from({ length: 20_000 }, (_, i) =>
        configMap(`r${i}`, i > 0 ? { dependIds: [`r${i - 1}`] } : {}),
      ),
    });
    const res = await admission.review(validate, request('LynqForm', 'CREATE', chain), budget);
    expect(res).toMatchObject({ allowed: true });
    const patched = await admission.review(mutate, request('LynqForm', 'CREATE', chain), budget);
    expect((decodePatch(patched.patch) as unknown[]).length).toBe(20_000 * 7 + 1);
  });

  it('never rejects: whatever throws becomes a refusal with the reason', async () => {
    const throwing = new LynqAdmission({
      templates: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const res = await throwing.review(
      validate,
      request('LynqForm', 'CREATE', formObject({ configMaps: [configMap('a')] })),
      budget,
    );
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain(
      'template check failed: Maximum call stack size exceeded',
    );
    // An object whose getters throw (not JSON, but review() is a function anyone can call).
    const trap = { apiVersion: 'operator.lynq.sh/v1', kind: 'LynqForm' } as Record<string, unknown>;
    Object.defineProperty(trap, 'spec', {
      enumerable: true,
      get: () => {
        throw new Error('no spec for you');
      },
    });
    const trapped = await admission.review(mutate, request('LynqForm', 'CREATE', trap), budget);
    expect(trapped).toMatchObject({
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'the review failed: no spec for you' },
    });
  });

  it('has at most maxTemplateChecks checks in the RenderHost, held until each ends, not until its review gives up', async () => {
    const pending: (() => void)[] = [];
    let calls = 0;
    const hanging = new LynqAdmission({
      templates: () => {
        calls++;
        return new Promise((resolve) => pending.push(() => resolve({ errors: [], warnings: [] })));
      },
      maxTemplateChecks: 1,
      maxWaitingTemplateChecks: 1,
    });
    const form = request('LynqForm', 'CREATE', formObject({ configMaps: [configMap('a')] }));
    const first = await hanging.review(validate, form, { templateBudgetMs: 100 });
    expect(first.status!.message).toContain('it did not finish within 100 ms');
    // The first check still runs: the next waits for it, then gives up within its own budget.
    const [second, third] = await Promise.all([
      hanging.review(validate, form, { templateBudgetMs: 150 }),
      hanging.review(validate, form, { templateBudgetMs: 150 }),
    ]);
    expect(second.status!.message).toContain(
      'it could not start within 150 ms: 1 template checks were running',
    );
    expect(third.status!.message).toContain(
      'the operator is busy: 1 template checks are running and 1 waiting; retry',
    );
    expect(calls).toBe(1);
    // Once the check ends, the slot is free again.
    pending.shift()!();
    const waiting = hanging.review(validate, form, { templateBudgetMs: 2_000 });
    await new Promise((r) => setTimeout(r, 20));
    pending.shift()!();
    expect((await waiting).allowed).toBe(true);
    expect(calls).toBe(2);
  });

  it('returns at most 10 warnings of printable text, clipped', async () => {
    const many = new LynqAdmission({
      templates: () => ({
        errors: [],
        warnings: Array.from({ length: 50 }, (_, i) => ({
          path: `spec.configMaps[${i}]`,
          message: `line\r\nbreak ${'w'.repeat(1000)}`,
        })),
      }),
    });
    const res = await many.review(
      validate,
      request('LynqForm', 'CREATE', formObject({ configMaps: [configMap('a')] })),
      budget,
    );
    expect(res.warnings).toHaveLength(11);
    expect(res.warnings![10]).toBe('... and 40 more warnings');
    for (const w of res.warnings!) {
      expect(w.length).toBeLessThanOrEqual(256);
      expect(w).not.toMatch(/[\r\n]/);
    }
  });
});

describe('denialMessage', () => {
  it('puts one error on one line and several on their own lines', () => {
    expect(denialMessage('LynqHub a/b', [{ path: 'spec.x', message: 'bad' }])).toBe(
      'LynqHub a/b is invalid: spec.x: bad',
    );
    expect(
      denialMessage('LynqHub a/b', [
        { path: 'spec.x', message: 'bad' },
        { path: '', message: 'worse' },
      ]),
    ).toBe('LynqHub a/b is invalid (2 errors):\n  spec.x: bad\n  worse');
  });
});
