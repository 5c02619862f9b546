// The admission webhook server: HTTPS (TLS 1.2 or later, HTTP/1.1) on --webhook-port with the
// certificate of --webhook-cert-path, reloaded when its files change. It answers the four paths of
// reference §2 with AdmissionReviews; a malformed or oversized body gets a 4xx saying why.
// Anyone who reaches the port may call it, so what a client can cost is bounded: connections,
// time to finish the TLS handshake, the headers and the body, bytes of bodies held at once, and
// (admission-review.ts) the nesting and size of what is parsed.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { Metrics } from '@lynq/api';
import { ServingCertificate, type Logger, type PemPair } from '@lynq/runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  BadReviewError,
  DEFAULT_REVIEW_LIMITS,
  MAX_REVIEW_VALUES,
  OversizedReviewError,
  checkReviewShape,
  decodeBody,
  parseAdmissionReview,
  reviewResponse,
  type AdmissionRequest,
  type ReviewLimits,
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
  /**
   * Bytes of request bodies held at once, across requests, from the first byte until the answer
   * is sent; past it a request is answered 503 with Retry-After. Default 32 MiB (four bodies of
   * the largest size).
   */
  maxPendingBodyBytes?: number;
  /**
   * JSON values (see ReviewLimits) of the reviews parsed and not yet answered, across requests:
   * what they cost in memory (some 500 bytes a value, through the copies that defaulting,
   * validation and the template check make). Past it, 503 with Retry-After. Default 250,000: one
   * review of the largest size (about 120 MB more heap), or many ordinary ones.
   */
  maxPendingValues?: number;
  /** Nesting and number of values a body may have. Default DEFAULT_REVIEW_LIMITS. */
  reviewLimits?: ReviewLimits;
  /** Connections open at once; more are closed as they come. Default 512. */
  maxConnections?: number;
  /** Time a client has for the TLS handshake, the headers, and the whole request. */
  timeouts?: Partial<ClientTimeouts>;
}

export interface ClientTimeouts {
  /** Default 10 s. */
  handshakeMs: number;
  /** Default 10 s. */
  headersMs: number;
  /** Headers and body; the API server waits at most 30 s for the answer. Default 30 s. */
  requestMs: number;
}

/**
 * The API server's writes are at most 3 MiB; an UPDATE review holds the object twice, plus the
 * envelope. Anything larger is not from an API server.
 */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_BODY_BYTES = 4 * DEFAULT_MAX_BODY_BYTES;
export const DEFAULT_MAX_PENDING_VALUES = MAX_REVIEW_VALUES;
const DEFAULT_TIMEOUTS: ClientTimeouts = {
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 30_000,
};
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
/** The bodies being read already hold maxPendingBodyBytes. */
class BusyError extends Error {}
/** The client went away (or was cut off) before its body was complete: nobody to answer. */
class ClientGoneError extends Error {}

/** Bytes of request bodies, or values of parsed reviews, held across requests. */
class Budget {
  private held = 0;
  constructor(readonly max: number) {}
  take(bytes: number): boolean {
    if (this.held + bytes > this.max) return false;
    this.held += bytes;
    return true;
  }
  give(bytes: number): void {
    this.held -= bytes;
  }
}

/**
 * The body, at most `max` bytes, its chunks taken from `budget` (the caller gives back `held()`).
 * Settles exactly once: with the bytes, or BodyTooLargeError, BusyError, ClientGoneError.
 */
function readBody(
  req: IncomingMessage,
  max: number,
  budget: Budget,
): { body: Promise<Buffer>; held: () => number } {
  let size = 0;
  const body = new Promise<Buffer>((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(new BodyTooLargeError());
    const chunks: Buffer[] = [];
    const stop = (err: Error) => {
      req.off('data', onData);
      // Not read any further: the answer says Connection: close, and the socket goes with it.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > max) return stop(new BodyTooLargeError());
      if (!budget.take(chunk.length)) return stop(new BusyError());
      size += chunk.length;
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', () => reject(new ClientGoneError()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGoneError());
    });
  });
  return { body, held: () => size };
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
  private readonly budget: Budget;
  private readonly values: Budget;
  private readonly limits: ReviewLimits;
  private readonly metrics: WebhookMetrics | undefined;

  private constructor(
    private readonly server: Server,
    private readonly certs: ServingCertificate,
    private readonly options: WebhookServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.budget = new Budget(options.maxPendingBodyBytes ?? DEFAULT_MAX_PENDING_BODY_BYTES);
    this.values = new Budget(options.maxPendingValues ?? DEFAULT_MAX_PENDING_VALUES);
    this.limits = options.reviewLimits ?? DEFAULT_REVIEW_LIMITS;
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
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const server = createServer({
      ...secureOptions(certs.pair),
      // The API server keeps connections open between reviews; slow clients are cut off: the
      // handshake, the headers and the whole request each have a deadline, checked every second
      // (node's default check every 30 s would let a trickling client hold on for a minute more).
      handshakeTimeout: timeouts.handshakeMs,
      keepAliveTimeout: 60_000,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
    });
    server.maxConnections = options.maxConnections ?? 512;
    // Node's headersTimeout counts from a request's first byte: a connection that sends nothing
    // after its handshake is closed here, once idle for headersMs; keep-alive takes over after.
    server.on('secureConnection', (socket: TLSSocket) => socket.setTimeout(timeouts.headersMs));
    server.on('request', (req: IncomingMessage) => req.socket.setTimeout(0));
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://webhook');
    } catch {
      this.plain(res, 400, 'the request target is not a URL path');
      return;
    }
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
    // Bytes and values stay taken until the answer is sent: a review waiting for a template
    // check holds its parsed object all that time.
    const reading = readBody(req, this.maxBodyBytes, this.budget);
    let values = 0;
    try {
      let request: AdmissionRequest;
      try {
        const text = decodeBody(await reading.body);
        values = checkReviewShape(text, this.limits);
        if (!this.values.take(values)) {
          values = 0;
          throw new BusyError();
        }
        request = parseAdmissionReview(text);
      } catch (err) {
        return this.refuse(url, res, err);
      }
      return await this.answer(route, url, request, res);
    } finally {
      this.budget.give(reading.held());
      this.values.give(values);
    }
  }

  /** The HTTP answer to a request that is not reviewed, or rethrows what is not such a case. */
  private refuse(url: URL, res: ServerResponse, err: unknown): number {
    const { logger } = this.options;
    if (err instanceof ClientGoneError) {
      logger.log('debug', 'admission request abandoned by the client', { path: url.pathname });
      // nginx's code for it: the client left, nothing was sent.
      return 499;
    }
    if (err instanceof BodyTooLargeError) {
      res.setHeader('Connection', 'close');
      logger.log('warn', 'admission request refused: body too large', {
        path: url.pathname,
        maxBytes: this.maxBodyBytes,
      });
      return this.plain(res, 413, `the body is larger than ${this.maxBodyBytes} bytes`);
    }
    if (err instanceof BusyError) {
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '1');
      logger.log('warn', 'admission request refused: too many requests in progress', {
        path: url.pathname,
        maxPendingBytes: this.budget.max,
        maxPendingValues: this.values.max,
      });
      return this.plain(
        res,
        503,
        `the webhook is busy with other requests (at most ${this.budget.max} bytes and ${this.values.max} JSON values at once); retry`,
      );
    }
    if (!(err instanceof BadReviewError)) throw err;
    logger.log('warn', 'admission request refused: not an AdmissionReview', {
      path: url.pathname,
      error: err.message,
      ...(err instanceof OversizedReviewError && err.uid !== undefined ? { uid: err.uid } : {}),
    });
    if (err instanceof OversizedReviewError && err.uid !== undefined) {
      const body = reviewResponse({
        uid: err.uid,
        allowed: false,
        status: { code: 413, reason: 'RequestEntityTooLarge', message: err.message },
      });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      return 200;
    }
    return this.plain(res, 400, `bad AdmissionReview: ${err.message}`);
  }

  private async answer(
    route: AdmissionRoute,
    url: URL,
    request: AdmissionRequest,
    res: ServerResponse,
  ): Promise<number> {
    const { logger } = this.options;
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
