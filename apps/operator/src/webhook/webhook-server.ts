// The admission webhook server: HTTPS (TLS 1.2 or later, HTTP/1.1) on --webhook-port with the
// certificate of --webhook-cert-path, reloaded when its files change. It answers the four paths of
// reference §2 with AdmissionReviews; a malformed or oversized body gets a 4xx saying why.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { Metrics } from '@lynq/api';
import { ServingCertificate, type Logger, type PemPair } from '@lynq/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  BadReviewError,
  readAdmissionReview,
  reviewResponse,
  type AdmissionRequest,
} from './admission-review.js';
import { ADMISSION_ROUTES, type AdmissionRoute, type LynqAdmission } from './lynq-admission.js';

export interface WebhookServerOptions {
  /** TCP port (0: a free one, see `port`). */
  port: number;
  /** Default: every interface (the API server calls from outside the pod). */
  host?: string;
  certDir: string;
  certName: string;
  keyName: string;
  admission: LynqAdmission;
  logger: Logger;
  /** Where the webhook metrics are registered; none when absent. */
  registry?: Registry;
  /** Time between checks of the certificate files, in ms. Default 10000. */
  certPollMs?: number;
  /** Largest request body accepted, in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
}

/**
 * The API server's writes are at most 3 MiB; an UPDATE review holds the object twice, plus the
 * envelope. Anything larger is not from an API server.
 */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Time to answer when the API server does not say (its default webhook timeout is 10 s). */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Kept free of the template check for the answer to travel back. */
const ANSWER_MARGIN_MS = 1_500;

const TLS_OPTIONS = { minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] } as const;

const secureOptions = (pair: PemPair): SecureContextOptions => ({
  ...TLS_OPTIONS,
  cert: pair.cert,
  key: pair.key,
});

/** The time a review may take: the API server's `?timeout=10s`, less the margin; 0.5 s at least. */
export function templateBudgetMs(timeoutParam: string | null): number {
  const m = timeoutParam === null ? null : /^(\d+)s$/.exec(timeoutParam);
  const timeoutMs = m ? Number(m[1]) * 1000 : DEFAULT_TIMEOUT_MS;
  return Math.max(500, Math.min(timeoutMs, 30_000) - ANSWER_MARGIN_MS);
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(new BodyTooLargeError());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type WebhookMetrics = ReturnType<typeof registerMetrics>;
const metricsByRegistry = new WeakMap<Registry, WebhookMetrics>();

/** The webhook metrics of a registry, registered once (a second server reuses them). */
function webhookMetrics(registry: Registry | undefined): WebhookMetrics | undefined {
  if (registry === undefined) return undefined;
  let metrics = metricsByRegistry.get(registry);
  if (metrics === undefined) {
    metrics = registerMetrics(registry);
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

function registerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    admissions: new Counter({
      name: Metrics.AdmissionRequestsTotal,
      help: 'Admission requests answered, by kind, operation and whether they were allowed',
      labelNames: ['kind', 'operation', 'allowed'] as const,
      registers,
    }),
    requests: new Counter({
      name: Metrics.WebhookRequestsTotal,
      help: 'Total number of admission requests by HTTP status code',
      labelNames: ['code', 'webhook'] as const,
      registers,
    }),
    inFlight: new Gauge({
      name: Metrics.WebhookRequestsInFlight,
      help: 'Current number of admission requests being served',
      labelNames: ['webhook'] as const,
      registers,
    }),
    latency: new Histogram({
      name: Metrics.WebhookLatencySeconds,
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'] as const,
      registers,
    }),
  };
}

export class WebhookServer {
  private readonly maxBodyBytes: number;
  private readonly metrics: WebhookMetrics | undefined;

  private constructor(
    private readonly server: Server,
    private readonly certs: ServingCertificate,
    private readonly options: WebhookServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.metrics = webhookMetrics(options.registry);
  }

  /**
   * Reads the certificate (runtime's CertificateError, naming the file, when it cannot be used),
   * listens, and watches the certificate files.
   */
  static async start(options: WebhookServerOptions): Promise<WebhookServer> {
    const certs = await ServingCertificate.fromFiles(
      { dir: options.certDir, certName: options.certName, keyName: options.keyName },
      {
        logger: options.logger,
        ...(options.certPollMs !== undefined ? { pollMs: options.certPollMs } : {}),
      },
    );
    const server = createServer({
      ...secureOptions(certs.pair),
      // The API server keeps connections open between reviews; slow clients are cut off.
      keepAliveTimeout: 60_000,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
    });
    // New connections get the new pair; a pair that does not load was refused before this.
    certs.onChange((pair) => server.setSecureContext(secureOptions(pair)));
    const self = new WebhookServer(server, certs, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      self.serve(req, res).catch((err: unknown) => {
        options.logger.log('error', 'admission request failed', {
          path: req.url,
          error: err instanceof Error ? err.message : String(err),
        });
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error\n');
      });
    });
    server.on('tlsClientError', (err) =>
      options.logger.log('debug', 'webhook TLS handshake failed', { error: err.message }),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      certs.close();
      throw err;
    }
    options.logger.log('info', 'Starting webhook server', {
      port: self.port,
      certDir: options.certDir,
      tls: 'TLSv1.2+',
      paths: [...ADMISSION_ROUTES.keys()],
    });
    return self;
  }

  /** The port listened on. */
  get port(): number {
    const addr = this.server.address();
    return addr !== null && typeof addr === 'object' ? (addr as AddressInfo).port : 0;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  async stop(): Promise<void> {
    this.certs.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // In-flight reviews finish (each is bounded by its timeout); then the rest are cut.
    const cut = setTimeout(() => this.server.closeAllConnections(), 5_000);
    await closed;
    clearTimeout(cut);
    this.options.logger.log('info', 'webhook server stopped');
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://webhook');
    const route = ADMISSION_ROUTES.get(url.pathname);
    if (route === undefined) {
      const paths = [...ADMISSION_ROUTES.keys()].join(', ');
      this.plain(res, 404, `no webhook at ${url.pathname}; paths: ${paths}`);
      return;
    }
    const started = performance.now();
    const webhook = url.pathname;
    this.metrics?.inFlight.inc({ webhook });
    try {
      const code = await this.admit(route, url, req, res);
      this.metrics?.requests.inc({ code: String(code), webhook });
    } finally {
      this.metrics?.inFlight.dec({ webhook });
      this.metrics?.latency.observe({ webhook }, (performance.now() - started) / 1000);
    }
  }

  /** Answers one request on a webhook path; returns the HTTP status sent. */
  private async admit(
    route: AdmissionRoute,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<number> {
    const { logger } = this.options;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.plain(
        res,
        405,
        `${req.method ?? ''} is not allowed: admission reviews are POSTed`,
      );
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type))
      return this.plain(
        res,
        415,
        `expected Content-Type application/json, got ${JSON.stringify(type)}`,
      );
    let request: AdmissionRequest;
    try {
      request = readAdmissionReview(await readBody(req, this.maxBodyBytes));
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res.setHeader('Connection', 'close');
        logger.log('warn', 'admission request refused: body too large', {
          path: url.pathname,
          maxBytes: this.maxBodyBytes,
        });
        return this.plain(res, 413, `the body is larger than ${this.maxBodyBytes} bytes`);
      }
      if (!(err instanceof BadReviewError)) throw err;
      logger.log('warn', 'admission request refused: not an AdmissionReview', {
        path: url.pathname,
        error: err.message,
      });
      return this.plain(res, 400, `bad AdmissionReview: ${err.message}`);
    }
    const started = performance.now();
    const response = await this.options.admission.review(route, request, {
      templateBudgetMs: templateBudgetMs(url.searchParams.get('timeout')),
    });
    const allowed = String(response.allowed);
    this.metrics?.admissions.inc({ kind: route.kind, operation: request.operation, allowed });
    logger.log(response.allowed ? 'debug' : 'info', response.allowed ? 'admitted' : 'denied', {
      webhook: url.pathname,
      uid: request.uid,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
      ...(request.dryRun ? { dryRun: true } : {}),
      ...(response.patch !== undefined ? { patched: true } : {}),
      ...(response.status !== undefined ? { message: response.status.message } : {}),
      ...(response.warnings !== undefined ? { warnings: response.warnings.length } : {}),
      durationMs: Math.round(performance.now() - started),
    });
    const body = JSON.stringify(reviewResponse(response));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    return 200;
  }

  private plain(res: ServerResponse, code: number, message: string): number {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
    return code;
  }
}
