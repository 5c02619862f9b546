import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { register as globalRegistry, type Registry } from 'prom-client';
import type { AccessDecision, DelegatedAuth } from './delegated-auth.js';
import { errorMessage } from './errors.js';
import { jsonLogger, type Logger } from './logger.js';
import type { ServingCertificate } from './serving-certificate.js';
import { closeNow, listen } from './listen.js';

export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
  /** TCP port (0: any free port, see `port` after start). */
  port: number;
  /** Default `0.0.0.0`. */
  host?: string;
  /** Served at /metrics (default: prom-client's global registry). */
  registry?: Registry;
  logger?: Logger;
  /**
   * HTTPS with this certificate, and only for requests `auth` allows (401 without or with an
   * unauthenticated token, 403 for a user who may not get /metrics). Undefined: plain HTTP, open
   * to anyone who can reach the port.
   */
  secure?: { certificate: ServingCertificate; auth: DelegatedAuth };
  /** Connections open at once; more are closed as they come. Default 256. */
  maxConnections?: number;
  /** Time a client has for the TLS handshake, its headers, and its whole request. */
  timeouts?: Partial<MetricsClientTimeouts>;
}

export interface MetricsClientTimeouts {
  /** Default 10 s. */
  handshakeMs: number;
  /** Default 10 s. */
  headersMs: number;
  /** Default 30 s. */
  requestMs: number;
}

const DEFAULT_TIMEOUTS: MetricsClientTimeouts = {
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 30_000,
};

/**
 * Closes a connection that sends nothing for `ms` before its first request: node's
 * headersTimeout only counts from a request's first byte. Node's keep-alive timeout takes over
 * between requests.
 */
function firstRequestDeadline(server: Server | HttpsServer, tls: boolean, ms: number): void {
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => socket.setTimeout(ms));
  server.on('request', (req: IncomingMessage) => req.socket.setTimeout(0));
}

/** The HTTP answer to a refused decision: status, headers and a plain-text body. */
export function refusal(decision: Exclude<AccessDecision, { allowed: true }>): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (decision.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  if (decision.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(decision.retryAfterSeconds);
  return { status: decision.status, headers, body: `${decision.message}\n` };
}

/**
 * Serves the Prometheus registry at `/metrics`: over HTTPS with delegated authentication and
 * authorization (controller-runtime's `--metrics-secure`), or over plain HTTP. The certificate is
 * swapped in place when its files change; open connections keep the one they started with.
 */
export class MetricsServer {
  private readonly registry: Registry;
  private readonly logger: Logger;
  private server: Server | HttpsServer | undefined;

  constructor(private readonly options: MetricsServerOptions) {
    this.registry = options.registry ?? globalRegistry;
    this.logger = options.logger ?? jsonLogger();
  }

  get secure(): boolean {
    return this.options.secure !== undefined;
  }

  /** The port listened on (after start). */
  get port(): number {
    const addr = this.server?.address();
    return addr !== null && typeof addr === 'object' ? (addr as AddressInfo).port : 0;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => {
        this.logger.log('error', 'metrics handler failed', { error: errorMessage(err) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    };
    const secure = this.options.secure;
    const timeouts = { ...DEFAULT_TIMEOUTS, ...this.options.timeouts };
    // A scrape is one small request: a client that dawdles does not get to hold a socket. The
    // deadlines are checked every second (node's default is every 30 s); one that never finishes
    // its TLS handshake is cut after handshakeMs (not 120 s), and one that sends nothing once
    // connected after headersMs (node's headersTimeout starts at the first byte: never, for it).
    const http = {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
    };
    let server: Server | HttpsServer;
    if (secure !== undefined) {
      const https = createHttpsServer(
        {
          ...secure.certificate.pair,
          minVersion: 'TLSv1.2',
          handshakeTimeout: timeouts.handshakeMs,
          ...http,
        },
        handler,
      );
      secure.certificate.onChange((pair) =>
        https.setSecureContext({ ...pair, minVersion: 'TLSv1.2' }),
      );
      server = https;
    } else {
      server = createHttpServer(http, handler);
    }
    server.maxConnections = this.options.maxConnections ?? 256;
    firstRequestDeadline(server, secure !== undefined, timeouts.headersMs);
    this.server = server;
    await listen(server, this.options.port, this.options.host);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.options.secure?.certificate.close();
    await closeNow(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const auth = this.options.secure?.auth;
    if (auth !== undefined) {
      // HEAD asks for what GET would answer: the API server authorizes both as `get`.
      const decision = await auth.check(req.headers.authorization, 'get', path);
      if (!decision.allowed) {
        const { status, headers, body } = refusal(decision);
        res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : body);
        return;
      }
    }
    const body = await this.registry.metrics();
    res
      .writeHead(200, { 'Content-Type': this.registry.contentType })
      .end(req.method === 'HEAD' ? undefined : body);
  }
}
