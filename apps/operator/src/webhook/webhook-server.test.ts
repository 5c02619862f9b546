import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
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
  body: string | Buffer | undefined,
  options: {
    method?: string;
    contentType?: string;
    maxVersion?: 'TLSv1.1';
    to?: WebhookServer;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols is passed on to tls.connect, though RequestOptions does not list it.
    const request: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = {
      host: '127.0.0.1',
      port: (options.to ?? server).port,
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

/** A connection that writes what the test says, and notes what came back and when it closed. */
interface RawClient {
  socket: Socket;
  received: () => string;
  /** Resolves with the ms from connecting to the server closing it. */
  closed: Promise<number>;
}

function raw(port: number, tls: boolean, alpn: string[] = ['http/1.1']): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    const socket: Socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: alpn })
      : tcpConnect({ host: '127.0.0.1', port });
    const closed = new Promise<number>((r) =>
      socket.on('close', () => r(performance.now() - started)),
    );
    const client = { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve(client));
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

/** Writes `text` every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string | Buffer, everyMs: number): void {
  const timer = setInterval(
    () => (socket.destroyed ? clearInterval(timer) : socket.write(text)),
    everyMs,
  );
}

const head = (path: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n${extra}`;

describe('WebhookServer against hostile clients', () => {
  let hostile: WebhookServer;
  let hostileDir: string;
  /** Template checks of forms with hubId `hold` wait for this. */
  let release: () => void = () => {};
  let gate = Promise.resolve();
  let holding = false;
  const failed = () => logs.filter((l) => l.message === 'admission request failed');

  beforeAll(async () => {
    hostileDir = mkdtempSync(join(tmpdir(), 'lynq-webhook-hostile-'));
    const pair = await selfSignedCertificate({ commonName: 'hostile', hosts: ['127.0.0.1'] });
    writeFileSync(join(hostileDir, 'tls.crt'), pair.cert);
    writeFileSync(join(hostileDir, 'tls.key'), pair.key);
    hostile = await WebhookServer.start({
      port: 0,
      host: '127.0.0.1',
      certDir: hostileDir,
      certName: 'tls.crt',
      keyName: 'tls.key',
      admission: new LynqAdmission({
        templates: async (form) => {
          if (form.spec.hubId === 'hold') {
            holding = true;
            await gate;
          }
          return validateTemplates(form);
        },
      }),
      logger,
      maxBodyBytes: 64 * 1024,
      maxPendingBodyBytes: 128 * 1024,
      maxPendingValues: 3_000,
      maxConnections: 20,
      timeouts: { handshakeMs: 500, headersMs: 500, requestMs: 1_000 },
    });
  });

  afterAll(async () => {
    await hostile?.stop();
    rmSync(hostileDir, { recursive: true, force: true });
  });

  it('cuts off a client that does not finish the TLS handshake, its headers or its body in time', async () => {
    const silent = await raw(hostile.port, false);
    const idle = await raw(hostile.port, true);
    const headers = await raw(hostile.port, true);
    headers.socket.write(head(Webhooks.ValidateFormPath));
    trickle(headers.socket, 'X-Slow: 1\r\n', 100);
    const body = await raw(hostile.port, true);
    body.socket.write(`${head(Webhooks.ValidateFormPath, 'Content-Length: 60000\r\n')}\r\n{`);
    trickle(body.socket, ' ', 100);
    const [silentMs, idleMs, headersMs, bodyMs] = await Promise.all([
      silent.closed,
      idle.closed,
      headers.closed,
      body.closed,
    ]);
    // The deadlines are 0.5 s, 0.5 s and 1 s, checked every 0.5 s (node's defaults: 120 s for
    // the handshake, never for a connection that sends nothing, 40 s and 90 s).
    expect(silentMs).toBeLessThan(3_000);
    expect(idleMs).toBeLessThan(3_000);
    expect(headersMs).toBeLessThan(3_000);
    expect(bodyMs).toBeLessThan(4_000);
    expect(body.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(failed()).toEqual([]);
    expect(
      (await send(Webhooks.ValidateFormPath, formReview('u-ok', {}), { to: hostile })).status,
    ).toBe(200);
  });

  it('holds at most maxPendingBodyBytes of bodies: past it, 503 with Retry-After; then serves again', async () => {
    const holders = await Promise.all([raw(hostile.port, true), raw(hostile.port, true)]);
    for (const h of holders) {
      h.socket.write(`${head(Webhooks.ValidateFormPath, 'Content-Length: 65000\r\n')}\r\n`);
      h.socket.write(Buffer.alloc(60_000, 0x20));
    }
    await new Promise((r) => setTimeout(r, 200));
    const third = await send(Webhooks.ValidateFormPath, Buffer.alloc(30_000, 0x20), {
      to: hostile,
    });
    expect(third.status).toBe(503);
    expect(third.body).toMatch(/busy with other requests/);
    // The clients leave halfway: nothing to answer, nothing logged as a failure, the budget freed.
    for (const h of holders) h.socket.destroy();
    await until(
      'the budget is free again',
      async () =>
        (await send(Webhooks.ValidateFormPath, formReview('u-free', {}), { to: hostile }))
          .status === 200,
    );
    expect(failed()).toEqual([]);
  });

  it('holds at most maxPendingValues of parsed reviews until they are answered: past it, 503', async () => {
    gate = new Promise((r) => (release = r));
    const padded = (uid: string, hubId: string, keys: number) =>
      review({
        uid,
        kind: { group: 'operator.lynq.sh', version: 'v1', kind: 'LynqForm' },
        operation: 'CREATE',
        object: {
          apiVersion: 'operator.lynq.sh/v1',
          kind: 'LynqForm',
          metadata: { name: 'web', namespace: 'apps' },
          spec: {
            hubId,
            configMaps: [
              {
                id: 'a',
                nameTemplate: 'a',
                spec: {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 'v'])),
                },
              },
            ],
          },
        },
      });
    const held = send(Webhooks.ValidateFormPath, padded('u-held', 'hold', 2_000), { to: hostile });
    await until('the first review waits for its template check', () => Promise.resolve(holding));
    const crowded = await send(Webhooks.ValidateFormPath, padded('u-more', 'h', 1_500), {
      to: hostile,
    });
    expect(crowded.status).toBe(503);
    expect(crowded.body).toContain('3000 JSON values at once');
    // Small reviews still fit beside it.
    expect(
      (await send(Webhooks.ValidateFormPath, padded('u-small', 'h', 10), { to: hostile })).status,
    ).toBe(200);
    release();
    expect((await held).status).toBe(200);
    expect(
      (await send(Webhooks.ValidateFormPath, padded('u-after', 'h', 1_500), { to: hostile }))
        .status,
    ).toBe(200);
  });

  it('closes connections past maxConnections as they come, and serves once they are gone', async () => {
    const clients = await Promise.allSettled(
      Array.from({ length: 30 }, () => raw(hostile.port, true)),
    );
    const open = clients.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    await new Promise((r) => setTimeout(r, 200));
    const alive = open.filter((c) => !c.socket.destroyed);
    expect(alive.length).toBeLessThanOrEqual(20);
    for (const c of open) c.socket.destroy();
    await until(
      'a connection is accepted again',
      async () =>
        (
          await send(Webhooks.MutateFormPath, formReview('u-back', {}), { to: hostile }).catch(
            () => ({ status: 0 }),
          )
        ).status === 200,
    );
  });

  it('refuses, within a second and in plain words, bodies too deep, too crowded, not UTF-8 or huge', async () => {
    const deep = formReview('u', {}).replace(
      '"spec":{',
      `"spec":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)},`,
    );
    const crowded = formReview('u', {}).replace(
      '"spec":{',
      `"spec":{"x":[${Array<string>(2_000).fill('0').join(',')}],`,
    );
    const latin1 = Buffer.from(
      formReview('u', { configMaps: [] }).replace('"web"', '"w\u00e9b"'),
      'latin1',
    );
    // Without a request.uid at its start, a body can only get an HTTP error.
    const anonymous = deep.replace('"uid":"u"', '"uid":7');
    const started = performance.now();
    const answers = await Promise.all([
      send(Webhooks.MutateFormPath, deep, { to: hostile }),
      send(Webhooks.MutateFormPath, anonymous, { to: hostile }),
      send(Webhooks.ValidateFormPath, latin1, { to: hostile }),
    ]);
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, expect.any(String)],
      [
        400,
        expect.stringMatching(
          /^bad AdmissionReview: the body is nested more than 1003 levels deep/,
        ),
      ],
      [400, 'bad AdmissionReview: the body is not UTF-8 text\n'],
    ]);
    // The API server shows its client an AdmissionReview's message ("denied the request: ..."),
    // but only "rejected our request for an unknown reason" for an HTTP error.
    expect(JSON.parse(answers[0]!.body)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'u',
        allowed: false,
        status: {
          code: 413,
          reason: 'RequestEntityTooLarge',
          message: expect.stringMatching(/^the body is nested more than 1003 levels deep/),
        },
      },
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    // 2,000 values is under the limits: this one is refused by validation, with a 200.
    expect((await send(Webhooks.ValidateFormPath, crowded, { to: hostile })).status).toBe(200);
    expect(failed()).toEqual([]);
  });

  it('stops reading a body past maxBodyBytes: 413, and the connection closes though the client goes on', async () => {
    const client = await raw(hostile.port, true);
    client.socket.write(`${head(Webhooks.ValidateFormPath, 'Transfer-Encoding: chunked\r\n')}\r\n`);
    const chunk = Buffer.concat([
      Buffer.from('4000\r\n'),
      Buffer.alloc(0x4000, 0x20),
      Buffer.from('\r\n'),
    ]);
    trickle(client.socket, chunk, 5);
    expect(await client.closed).toBeLessThan(3_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 413/);
  });

  it('answers what is not HTTP/1.1 to a webhook, a request target that is no path, and odd methods', async () => {
    const h2 = await raw(hostile.port, true, ['h2', 'http/1.1']);
    expect((h2.socket as TLSSocket).alpnProtocol).toBe('http/1.1');
    h2.socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    await h2.closed;
    expect(h2.received()).toMatch(/^HTTP\/1\.1 400/);
    await expect(raw(hostile.port, true, ['h2'])).rejects.toThrow();
    const target = await raw(hostile.port, true);
    target.socket.write(
      'POST http://[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    await target.closed;
    expect(target.received()).toMatch(/^HTTP\/1\.1 400/);
    for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE'])
      expect((await send(Webhooks.ValidateFormPath, '{}', { method, to: hostile })).status).toBe(
        405,
      );
    expect(failed()).toEqual([]);
  });
});
