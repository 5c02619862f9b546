// Admission webhooks (reference §2) against the real API server: the test makes a CA and a serving
// certificate, starts the operator with it, and registers Mutating/ValidatingWebhookConfigurations
// (caBundle, clientConfig.url on loopback) scoped to this file's namespace only. Bad hubs and forms
// are refused with every field path; defaults are filled in; warnings reach the client; a new
// certificate from a new CA is served without a restart; and with the webhook down, failurePolicy
// Fail refuses writes while Ignore lets them through.
import { X509Certificate } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { Webhooks, applyFormDefaults, type LynqForm, type LynqHub } from '@lynq/api';
import { KubeApiError, resourcePath, resourceType, type ResourceType } from '@lynq/runtime';
import { kubeconfigPath, servingCertificate } from '@lynq/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Res,
  configMap,
  form,
  freePort,
  hub,
  mysqlSource,
  useScenario,
  type ObjectLike,
  type OperatorProcess,
} from './harness/index.js';

const s = useScenario({ name: 'webhooks', operator: false });

const Mutating = resourceType(
  'admissionregistration.k8s.io/v1',
  'MutatingWebhookConfiguration',
  'mutatingwebhookconfigurations',
  false,
);
const Validating = resourceType(
  'admissionregistration.k8s.io/v1',
  'ValidatingWebhookConfiguration',
  'validatingwebhookconfigurations',
  false,
);

type FailurePolicy = 'Fail' | 'Ignore';

let certDir: string;
let port: number;
let caPem: string;
let operator: OperatorProcess;
/** Cluster-scoped, so unique per run: the namespace name is. */
let configName: string;

/** The four webhooks of Lynq's manifests, calling this file's operator, for this namespace only. */
function webhooks(mode: 'mutate' | 'validate', failurePolicy: FailurePolicy) {
  const entries =
    mode === 'mutate'
      ? [
          [Webhooks.MutateHubName, Webhooks.MutateHubPath, 'lynqhubs'],
          [Webhooks.MutateFormName, Webhooks.MutateFormPath, 'lynqforms'],
        ]
      : [
          [Webhooks.ValidateHubName, Webhooks.ValidateHubPath, 'lynqhubs'],
          [Webhooks.ValidateFormName, Webhooks.ValidateFormPath, 'lynqforms'],
        ];
  return entries.map(([name, path, resource]) => ({
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy,
    timeoutSeconds: 10,
    clientConfig: {
      url: `https://127.0.0.1:${port}${path}`,
      caBundle: Buffer.from(caPem).toString('base64'),
    },
    rules: [
      {
        apiGroups: ['operator.lynq.sh'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: [resource],
      },
    ],
    // Other files' tests share this API server: only this file's namespace is admitted here.
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.namespace } },
  }));
}

async function registerWebhooks(failurePolicy: FailurePolicy): Promise<void> {
  for (const [type, kind, mode] of [
    [Mutating, 'MutatingWebhookConfiguration', 'mutate'],
    [Validating, 'ValidatingWebhookConfiguration', 'validate'],
  ] as const) {
    await s.kube.apply(
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind,
        metadata: { name: configName },
        webhooks: webhooks(mode, failurePolicy),
      },
      { fieldManager: 'lynq-e2e-webhooks', force: true, type },
    );
  }
}

/** The error of a create, or undefined when it was accepted. */
async function createError(obj: ObjectLike, dryRun = false): Promise<KubeApiError | undefined> {
  try {
    await s.kube.create(obj, { dryRun });
    return undefined;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
}

const DENIED_BY_VALIDATING = 'admission webhook "vlynqform.kb.io" denied the request';

/** A form with a dependency cycle: what the probes send (dry run) to see whether admission is on. */
const cyclicForm = (name: string) =>
  form({
    name,
    namespace: s.namespace,
    hubId: 'h',
    configMaps: [
      configMap('a', { x: '1' }, { dependIds: ['b'] }),
      configMap('b', { x: '1' }, { dependIds: ['a'] }),
    ],
  });

/** Waits until the API server calls the webhook with the current configuration (it caches them). */
function webhookInEffect(what: string): Promise<KubeApiError> {
  return s.waitFor(
    async (note) => {
      const err = await createError(cyclicForm('probe'), true);
      note(err?.message ?? 'accepted');
      return err?.message.includes(DENIED_BY_VALIDATING) ? err : undefined;
    },
    { what, timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** POST as the test's admin, keeping the response headers (where admission warnings are). */
async function createWithWarnings(
  obj: ObjectLike,
  type: ResourceType,
): Promise<{ status: number; warnings: string[]; body: string }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: RequestOptions = {
    host: server.hostname,
    port: server.port,
    method: 'POST',
    path: resourcePath(type, obj.metadata?.namespace),
    headers: { 'Content-Type': 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options, (res) => {
      const warnings: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        if (res.rawHeaders[i]!.toLowerCase() === 'warning') warnings.push(res.rawHeaders[i + 1]!);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, warnings, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(obj));
  });
}

/**
 * The fingerprint of the certificate the webhook port serves now (a new TLS connection), and
 * whether it verifies against `ca` for 127.0.0.1 as the API server checks it.
 */
function served(ca: string): Promise<{ fingerprint: string; verified: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, rejectUnauthorized: false }, () => {
      resolve({
        fingerprint: socket.getPeerCertificate().fingerprint256,
        verified: socket.authorized,
        ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
      });
      socket.end();
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  configName = `lynq-e2e-${s.namespace}`;
  certDir = mkdtempSync(join(tmpdir(), 'lynq-e2e-webhook-certs-'));
  caPem = servingCertificate(certDir, { hosts: ['127.0.0.1'] }).caPem;
  port = await freePort();
  operator = await s.startOperator({
    args: [`--webhook-port=${port}`, `--webhook-cert-path=${certDir}`],
  });
  s.onCleanup(async () => {
    await s.kube.delete(Mutating, configName);
    await s.kube.delete(Validating, configName);
    rmSync(certDir, { recursive: true, force: true });
  });
  await registerWebhooks('Fail');
  await webhookInEffect('the validating webhook refusing a cyclic form');
}, 180_000);

describe('admission webhooks', () => {
  it('refuses a bad form with every error, each naming the form, the field and what is wrong; nothing is stored', async () => {
    const bad = form({
      name: 'bad-form',
      namespace: s.namespace,
      hubId: 'h',
      configMaps: [
        configMap('a', { x: '1' }, { dependIds: ['b'] }),
        configMap('b', { x: '1' }, { dependIds: ['a'] }),
        { ...configMap('tpl', { x: '1' }), nameTemplate: '{{ .uid | | trim }}' },
        configMap('func', { x: '{{ invalidFunc .uid }}' }),
        configMap('paths', { x: '1' }, { ignoreFields: ['$.data[?(@.x =='] }),
        configMap('ready', { x: '1' }, { readyWhen: ['self.data.x =='] }),
      ],
      // Within one list the API server refuses a duplicate id itself (a list-map keyed by id);
      // across lists only the webhook sees it.
      secrets: [
        {
          id: 'a',
          nameTemplate: '{{ .uid }}-a',
          spec: { apiVersion: 'v1', kind: 'Secret', stringData: { x: '1' } },
        },
      ],
    });
    const err = await createError(bad);
    expect(err?.status).toBe(403);
    const message = err!.apiMessage;
    expect(message).toContain(
      `${DENIED_BY_VALIDATING}: LynqForm ${s.namespace}/bad-form is invalid (`,
    );
    expect(message).toMatch(
      /spec\.configMaps\[0\]\.dependIds\[0\]: dependency validation failed: circular dependency detected: a -> b -> a/,
    );
    expect(message).toContain(
      'spec.secrets[0].id: duplicate resource ID "a" (also used by spec.configMaps[0])',
    );
    expect(message).toMatch(
      /spec\.configMaps\[2\]\.nameTemplate: invalid template in resource 'tpl'/,
    );
    expect(message).toMatch(/spec\.configMaps\[3\]\.spec\.data\.x: .*invalidFunc/);
    expect(message).toMatch(
      /spec\.configMaps\[4\]\.ignoreFields\[0\]: ignoreFields validation failed/,
    );
    expect(message).toContain('spec.configMaps[5].readyWhen[0]');
    // Field paths for programs too.
    const causes = (err!.statusBody?.details?.causes ?? []).map((c) => c.field);
    expect(causes).toEqual(
      expect.arrayContaining([
        'spec.configMaps[0].dependIds[0]',
        'spec.configMaps[5].readyWhen[0]',
      ]),
    );
    expect(await s.kube.get(Res.Form, 'bad-form', s.namespace)).toBeUndefined();
  });

  it('refuses a hub without value mappings or a usable source, naming each field', async () => {
    const bad = hub({
      name: 'bad-hub',
      namespace: s.namespace,
      source: mysqlSource(s.table),
      uid: '',
      activate: '',
    });
    const err = await createError(bad);
    expect(err?.status).toBe(403);
    expect(err!.apiMessage).toBe(
      `admission webhook "vlynqhub.kb.io" denied the request: LynqHub ${s.namespace}/bad-hub is invalid (2 errors):\n` +
        '  spec.valueMappings.uid: is required\n  spec.valueMappings.activate: is required',
    );
    const unknown = hub({
      name: 'bad-source',
      namespace: s.namespace,
      source: { type: 'redis', syncInterval: '1m' } as never,
    });
    expect((await createError(unknown))?.apiMessage).toContain(
      'spec.source.type: unknown source type "redis"',
    );
    expect(await s.kube.get(Res.Hub, 'bad-hub', s.namespace)).toBeUndefined();
  });

  it('fills in the defaults of hubs and forms where they are empty (what the schema alone would refuse)', async () => {
    const h = hub({ name: 'defaults', namespace: s.namespace, source: mysqlSource(s.table) });
    const source = h.spec.source as { syncInterval?: string; mysql?: { port?: number } };
    source.syncInterval = '';
    source.mysql!.port = 0;
    await s.create(h);
    const storedHub = await s.kube.mustGet<LynqHub>(Res.Hub, 'defaults', s.namespace);
    expect(storedHub.spec.source.syncInterval).toBe('30s');
    expect(storedHub.spec.source.mysql?.port).toBe(3306);

    const f = form({
      name: 'defaults',
      namespace: s.namespace,
      hubId: 'defaults',
      configMaps: [
        { ...configMap('c', { x: '1' }), creationPolicy: '' as never, patchStrategy: '' as never },
      ],
    });
    (f.spec as { templateSyntax?: string }).templateSyntax = '';
    await s.create(f);
    const storedForm = await s.kube.mustGet<LynqForm>(Res.Form, 'defaults', s.namespace);
    expect(storedForm.spec.templateSyntax).toBe('go');
    expect(storedForm.spec.configMaps?.[0]).toMatchObject({
      creationPolicy: 'WhenNeeded',
      deletionPolicy: 'Delete',
      conflictPolicy: 'Stuck',
      patchStrategy: 'apply',
      waitForReady: true,
      timeoutSeconds: 300,
    });
  });

  it('returns warnings to the client (hostOrUrl is deprecated)', async () => {
    const res = await createWithWarnings(
      hub({
        name: 'warned',
        namespace: s.namespace,
        source: mysqlSource(s.table),
        hostOrUrl: 'url',
      }),
      Res.Hub,
    );
    expect(res.status).toBe(201);
    expect(res.warnings.join('\n')).toMatch(
      /spec\.valueMappings\.hostOrUrl: valueMappings\.hostOrUrl is deprecated since v1\.1\.11/,
    );
  });

  it('refuses a change of spec.hubId, naming the field', async () => {
    await s.create(
      form({
        name: 'pinned',
        namespace: s.namespace,
        hubId: 'defaults',
        configMaps: [configMap('c', { x: '1' })],
      }),
    );
    let error: unknown;
    try {
      await s.kube.mergePatch(Res.Form, 'pinned', s.namespace, { spec: { hubId: 'other' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeApiError);
    // The CRD's transition rule or the webhook, whichever the API server runs first: both name it.
    expect((error as KubeApiError).apiMessage).toMatch(/spec\.hubId: .*immutable/);
    expect((await s.kube.mustGet<LynqForm>(Res.Form, 'pinned', s.namespace)).spec.hubId).toBe(
      'defaults',
    );
  });

  it('serves a certificate from a new CA once the files change, without a restart', async () => {
    const before = await served(caPem);
    expect(before.verified).toBe(true);
    const rotated = servingCertificate(certDir, { hosts: ['127.0.0.1'] });
    const expected = new X509Certificate(readFileSync(join(certDir, 'tls.crt'))).fingerprint256;
    expect(expected).not.toBe(before.fingerprint);
    await s.waitFor(
      async (note) => {
        const now = await served(rotated.caPem);
        note({ ...now, expected });
        return now.fingerprint === expected && now.verified;
      },
      { what: 'the webhook serving the new certificate', timeoutMs: 30_000 },
    );
    caPem = rotated.caPem;
    await registerWebhooks('Fail');
    await webhookInEffect('the webhook answering through the new CA');
    const ok = await createError(
      form({
        name: 'after-rotation',
        namespace: s.namespace,
        hubId: 'defaults',
        configMaps: [configMap('c', { x: '1' })],
      }),
    );
    expect(ok).toBeUndefined();
    expect(operator.exitStatus()).toBeUndefined();
    expect(operator.logRecords().some((r) => r['msg'] === 'serving certificate changed')).toBe(
      true,
    );
  });

  it('applies the defaults patch exactly, under keys with "/", "~" and "__proto__", for 2,000 resources', async () => {
    // Parsed from text, so that __proto__ is a plain member as the API server sees it.
    const data = JSON.parse('{"a/b":"1","~0":"2","__proto__":"3","constructor":"4"}') as Record<
      string,
      string
    >;
    const input = form({
      name: 'escapes',
      namespace: s.namespace,
      hubId: 'escapes',
      configMaps: Array.from({ length: 2_000 }, (_, i) => ({
        ...configMap(`c${i}`, data, {}, { annotations: { 'lynq.sh/a~b': 'x' } }),
        ...(i % 2 === 0 ? { creationPolicy: '' as never, timeoutSeconds: 30 } : {}),
      })),
    });
    await s.create(input);
    const stored = await s.kube.mustGet<LynqForm>(Res.Form, 'escapes', s.namespace);
    const expected = applyFormDefaults(JSON.parse(JSON.stringify(input)) as LynqForm);
    // The API server applied the patch (RFC 6902) itself: exactly the defaults, nothing else.
    expect(isDeepStrictEqual(stored.spec, expected.spec)).toBe(true);
    expect(stored.spec.configMaps?.[0]?.spec).toMatchObject({ data: { 'a/b': '1', '~0': '2' } });
    expect(Object.hasOwn(stored.spec.configMaps![0]!.spec.data as object, '__proto__')).toBe(true);
  });

  it('admits a 5,000-resource dependency chain, and refuses what is past its limits with the reason', async () => {
    // 5,000 resources, each depending on the one before (1.3 MB, under the API server's 3 MiB;
    // some 220,000 JSON values with the managedFields of every list item, under the webhook's
    // 250,000), with every default given, so the mutating webhook has nothing to add.
    const defaults = {
      creationPolicy: 'WhenNeeded',
      deletionPolicy: 'Delete',
      conflictPolicy: 'Stuck',
      patchStrategy: 'apply',
      waitForReady: true,
      skipOnDependencyFailure: true,
      timeoutSeconds: 300,
    } as const;
    const chain = form({
      name: 'chain',
      namespace: s.namespace,
      hubId: 'chain',
      configMaps: Array.from({ length: 5_000 }, (_, i) => ({
        id: `c${i}`,
        nameTemplate: `{{ .uid }}-c${i}`,
        ...defaults,
        ...(i > 0 ? { dependIds: [`c${i - 1}`] } : {}),
        spec: { apiVersion: 'v1', kind: 'ConfigMap' },
      })),
    });
    (chain.spec as { templateSyntax?: string }).templateSyntax = 'go';
    // Checked in full (the graph check has no recursion per resource) and stored.
    await s.create(chain);
    const stored = await s.kube.mustGet<LynqForm>(Res.Form, 'chain', s.namespace);
    expect(stored.spec.configMaps).toHaveLength(5_000);
    await s.kube.delete(Res.Form, 'chain', s.namespace);
    // Past the webhook's limits (here 300,000 numbers in one resource), the API server's client
    // reads the webhook's reason too, not "rejected our request for an unknown reason".
    const crowded = form({
      name: 'crowded',
      namespace: s.namespace,
      hubId: 'crowded',
      configMaps: [
        {
          ...configMap('a', { x: '1' }),
          spec: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            binaryData: {},
            x: Array<number>(300_000).fill(0),
          },
        },
      ],
    });
    const refused = await createError(crowded);
    expect(refused?.message).toContain(
      'admission webhook "mlynqform.kb.io" denied the request: the body holds more than 250000 JSON values',
    );
  });

  it('keeps admitting through the API server while a hostile client attacks the webhook port', async () => {
    const open: TLSSocket[] = [];
    const tls = () =>
      new Promise<TLSSocket>((resolve) => {
        const socket = connect(
          { host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] },
          () => resolve(socket),
        );
        socket.on('error', () => {});
        open.push(socket);
      });
    const post = (body: string | Buffer) =>
      new Promise<number>((resolve) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: Webhooks.ValidateFormPath,
            rejectUnauthorized: false,
            agent: false,
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });
    const review = (object: string) =>
      `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"group":"operator.lynq.sh","version":"v1","kind":"LynqForm"},"operation":"CREATE","object":${object}}}`;
    // Slow clients: headers and bodies trickled on 50 connections.
    for (let i = 0; i < 50; i++) {
      const socket = await tls();
      socket.write(
        `POST ${Webhooks.ValidateFormPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${i % 2 ? 'Content-Length: 1000000\r\n\r\n{' : ''}`,
      );
      const timer = setInterval(
        () => (socket.destroyed ? clearInterval(timer) : socket.write(i % 2 ? ' ' : 'X: y\r\n')),
        500,
      );
    }
    // Bodies that would cost seconds of JSON.parse and hundreds of MB, and bytes that are not text.
    const answers = await Promise.all([
      post(review(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)),
      post(review(`[${Array<string>(2_000_000).fill('{}').join(',')}]`)),
      post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      post(review('{"spec":{"__proto__":{"hubId":"x"}}}')),
    ]);
    // The first two name a request.uid: refused as AdmissionReviews (HTTP 200, allowed false).
    expect(answers).toEqual([200, 200, 400, 200]);
    // Meanwhile the API server's calls are answered as ever.
    const ok = form({
      name: 'under-attack',
      namespace: s.namespace,
      hubId: 'h',
      configMaps: [configMap('a', { x: '1' })],
    });
    expect(await createError(ok)).toBeUndefined();
    expect((await createError(cyclicForm('cyclic-under-attack')))?.message).toContain(
      DENIED_BY_VALIDATING,
    );
    // The slow clients are cut off within the deadlines (10 s headers, 30 s request).
    await s.waitFor(async () => open.every((socket) => socket.destroyed) || undefined, {
      what: 'the server closing every slow connection',
      timeoutMs: 45_000,
      intervalMs: 500,
    });
    expect(operator.logRecords().filter((r) => r['level'] === 'error')).toEqual([]);
  }, 120_000);

  it('with the webhook down: failurePolicy Fail refuses writes with the API server’s error; Ignore lets them through', async () => {
    await operator.stop();
    const good = (name: string) =>
      form({
        name,
        namespace: s.namespace,
        hubId: 'defaults',
        configMaps: [configMap('c', { x: '1' })],
      });
    const refused = await s.waitFor(
      async (note) => {
        const err = await createError(good('while-down'));
        note(err?.message ?? 'accepted');
        return err?.apiMessage.includes('failed calling webhook') ? err : undefined;
      },
      { what: 'a create refused because the webhook cannot be called', timeoutMs: 30_000 },
    );
    expect(refused.status).toBe(500);
    expect(refused.apiMessage).toMatch(/failed calling webhook "[mv]lynqform\.kb\.io"/);
    expect(await s.kube.get(Res.Form, 'while-down', s.namespace)).toBeUndefined();

    await registerWebhooks('Ignore');
    await s.waitFor(
      async (note) => {
        const err = await createError(good('probe-ignored'), true);
        note(err?.message ?? 'accepted');
        return err === undefined;
      },
      {
        what: 'the API server ignoring the unreachable webhook',
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    expect(await createError(good('while-down'))).toBeUndefined();
    expect(await s.kube.get(Res.Form, 'while-down', s.namespace)).toBeDefined();
  });
});
