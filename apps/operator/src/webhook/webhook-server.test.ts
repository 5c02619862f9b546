import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { Metrics, Webhooks } from '@lynq/api';
import { validateTemplates } from '@lynq/render';
import { selfSignedCertificate, type LogFields, type Logger, type PemPair } from '@lynq/runtime';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LynqAdmission } from './lynq-admission.js';
import { WebhookServer, templateBudgetMs } from './webhook-server.js';

interface Answer {
  status: number;
  body: string;
  fingerprint: string;
  protocol: string | null;
}

const logs: { level: string; message: string; fields: LogFields | undefined }[] = [];
const logger: Logger = { log: (level, message, fields) => logs.push({ level, message, fields }) };

let dir: string;
let server: WebhookServer;
let registry: Registry;
let first: PemPair;

const write = (pair: PemPair) => {
  writeFileSync(join(dir, 'tls.crt'), pair.cert);
  writeFileSync(join(dir, 'tls.key'), pair.key);
};
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

function send(
  path: string,
  body: string | undefined,
  options: { method?: string; contentType?: string; maxVersion?: 'TLSv1.1' } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols is passed on to tls.connect, though RequestOptions does not list it.
    const request: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = {
      host: '127.0.0.1',
      port: server.port,
      path,
      method: options.method ?? 'POST',
      // The certificate is checked by fingerprint below; each test asks for a new connection.
      rejectUnauthorized: false,
      agent: false,
      // Offered as a Go client with HTTP/2 enabled would; the server must pick HTTP/1.1.
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(options.maxVersion ? { maxVersion: options.maxVersion, minVersion: 'TLSv1' } : {}),
      headers: { 'Content-Type': options.contentType ?? 'application/json' },
    };
    const req = httpsRequest(request, (res) => {
      const socket = res.socket as TLSSocket;
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      const protocol = socket.alpnProtocol === false ? null : socket.alpnProtocol;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          fingerprint,
          protocol,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const review = (request: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });

const formReview = (uid: string, spec: Record<string, unknown>) =>
  review({
    uid,
    kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
    operation: 'CREATE',
    namespace: 'apps',
    name: 'web',
    object: {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqForm',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { hubId: 'tenants', ...spec },
    },
  });

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lynq-webhook-'));
  first = await selfSignedCertificate({ commonName: 'lynq-webhook-test', hosts: ['127.0.0.1'] });
  write(first);
  registry = new Registry();
  server = await WebhookServer.start({
    port: 0,
    host: '127.0.0.1',
    certDir: dir,
    certName: 'tls.crt',
    keyName: 'tls.key',
    admission: new LynqAdmission({ templates: validateTemplates }),
    logger,
    registry,
    certPollMs: 200,
    maxBodyBytes: 64 * 1024,
  });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('WebhookServer', () => {
  it('answers an AdmissionReview over TLS with HTTP/1.1, counting it', async () => {
    const ok = await send(Webhooks.ValidateFormPath, formReview('u-ok', { configMaps: [] }));
    expect(ok.status).toBe(200);
    expect(ok.protocol).toBe('http/1.1');
    expect(JSON.parse(ok.body)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-ok', allowed: true },
    });
    const denied = await send(
      Webhooks.ValidateFormPath,
      formReview('u-bad', {
        configMaps: [
          {
            id: 'a',
            nameTemplate: '{{ invalidFunc .uid }}',
            spec: { apiVersion: 'v1', kind: 'ConfigMap' },
          },
        ],
      }),
    );
    const response = (
      JSON.parse(denied.body) as { response: { allowed: boolean; status: { message: string } } }
    ).response;
    expect(response.allowed).toBe(false);
    expect(response.status.message).toMatch(
      /^LynqForm apps\/web is invalid: spec\.configMaps\[0\]\.nameTemplate: /,
    );
    const text = await registry.metrics();
    expect(text).toContain(
      `${Metrics.AdmissionRequestsTotal}{kind="LynqForm",operation="CREATE",allowed="true"} 1`,
    );
    expect(text).toContain(
      `${Metrics.AdmissionRequestsTotal}{kind="LynqForm",operation="CREATE",allowed="false"} 1`,
    );
    expect(text).toContain(
      `${Metrics.WebhookRequestsTotal}{code="200",webhook="${Webhooks.ValidateFormPath}"} 2`,
    );
    expect(logs.some((l) => l.message === 'denied' && l.fields?.['name'] === 'web')).toBe(true);
  });

  it('answers what is not an AdmissionReview with 4xx and a clear message, and goes on serving', async () => {
    const bad = await send(Webhooks.MutateHubPath, '{"kind":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/^bad AdmissionReview: the body is not JSON/);
    const noRequest = await send(
      Webhooks.MutateHubPath,
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
    );
    expect(noRequest).toMatchObject({
      status: 400,
      body: 'bad AdmissionReview: request is missing\n',
    });
    expect((await send(Webhooks.MutateHubPath, '{}', { contentType: 'text/plain' })).status).toBe(
      415,
    );
    expect((await send(Webhooks.MutateHubPath, undefined, { method: 'GET' })).status).toBe(405);
    const unknown = await send('/validate-other', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain(Webhooks.ValidateFormPath);
    const huge = await send(
      Webhooks.ValidateFormPath,
      formReview('u-big', { padding: 'x'.repeat(100_000) }),
    );
    expect(huge).toMatchObject({ status: 413, body: 'the body is larger than 65536 bytes\n' });
    expect((await send(Webhooks.ValidateFormPath, formReview('u-after', {}))).status).toBe(200);
  });

  it('refuses TLS older than 1.2', async () => {
    await expect(send(Webhooks.MutateHubPath, '{}', { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('serves a new certificate once its files change, and keeps the old one when the new pair does not match', async () => {
    expect((await send(Webhooks.MutateFormPath, '{}')).fingerprint).toBe(fingerprintOf(first.cert));
    const second = await selfSignedCertificate({ commonName: 'second', hosts: ['127.0.0.1'] });
    write(second);
    await until('the second certificate is served', async () => {
      return (await send(Webhooks.MutateFormPath, '{}')).fingerprint === fingerprintOf(second.cert);
    });
    const third = await selfSignedCertificate({ commonName: 'third', hosts: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), third.cert); // the key is still the second's
    await until('the mismatch is logged', async () =>
      logs.some(
        (l) =>
          /not reloaded/.test(l.message) && /not the private key/.test(String(l.fields?.['error'])),
      ),
    );
    expect((await send(Webhooks.MutateFormPath, '{}')).fingerprint).toBe(
      fingerprintOf(second.cert),
    );
    writeFileSync(join(dir, 'tls.key'), third.key);
    await until('the third certificate is served', async () => {
      return (await send(Webhooks.MutateFormPath, '{}')).fingerprint === fingerprintOf(third.cert);
    });
    // Still TLS 1.2+ and HTTP/1.1 with the new context.
    expect((await send(Webhooks.MutateFormPath, '{}')).protocol).toBe('http/1.1');
    await expect(send(Webhooks.MutateHubPath, '{}', { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });
});

describe('templateBudgetMs', () => {
  it("leaves a margin of the API server's timeout", () => {
    expect(templateBudgetMs('10s')).toBe(8_500);
    expect(templateBudgetMs(null)).toBe(8_500);
    expect(templateBudgetMs('1s')).toBe(500);
    expect(templateBudgetMs('30s')).toBe(28_500);
    expect(templateBudgetMs('nonsense')).toBe(8_500);
  });
});
