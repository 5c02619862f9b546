import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as globalRegistry, type Registry } from 'prom-client';
import { errorMessage } from './errors.js';
import { jsonLogger, type Logger } from './logger.js';
import { closeNow, listen } from './listen.js';

/** A named check: true when healthy/ready. */
export type Check = () => boolean;

export interface HealthServerOptions {
  /** TCP port (0: any free port, see `port` after start). */
  port: number;
  /** Default `0.0.0.0` (kubelet probes come from outside the pod's loopback). */
  host?: string;
  /** Served at /metrics (default: prom-client's global registry). */
  registry?: Registry;
  logger?: Logger;
}

/**
 * Serves `/healthz` (liveness), `/readyz` (readiness) and `/metrics` over node:http. Both probes
 * answer 200 `ok` when all their checks pass, else 500 listing the failing ones; `?verbose`
 * lists every check like the API server does.
 */
export class HealthServer {
  private readonly health = new Map<string, Check>();
  private readonly ready = new Map<string, Check>();
  private readonly registry: Registry;
  private readonly logger: Logger;
  private server: Server | undefined;

  constructor(private readonly options: HealthServerOptions) {
    this.registry = options.registry ?? globalRegistry;
    this.logger = options.logger ?? jsonLogger();
  }

  addHealthCheck(name: string, check: Check): void {
    this.health.set(name, check);
  }

  addReadyCheck(name: string, check: Check): void {
    this.ready.set(name, check);
  }

  /** The port listened on (after start). */
  get port(): number {
    const addr = this.server?.address();
    return addr !== null && typeof addr === 'object' ? (addr as AddressInfo).port : 0;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.logger.log('error', 'http handler failed', {
          path: req.url,
          error: errorMessage(err),
        });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.server = server;
    await listen(server, this.options.port, this.options.host);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await closeNow(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    switch (url.pathname) {
      case '/healthz':
      case '/livez':
        this.probe(this.health, url, res);
        return;
      case '/readyz':
        this.probe(this.ready, url, res);
        return;
      case '/metrics': {
        const body = await this.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(body);
        return;
      }
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  }

  private probe(checks: Map<string, Check>, url: URL, res: ServerResponse): void {
    const lines: string[] = [];
    let ok = true;
    for (const [name, check] of checks) {
      let passed: boolean;
      try {
        passed = check();
      } catch {
        passed = false;
      }
      ok &&= passed;
      lines.push(passed ? `[+]${name} ok` : `[-]${name} failed`);
    }
    const verbose = url.searchParams.has('verbose');
    const body = ok
      ? verbose
        ? `${lines.join('\n')}\nok\n`
        : 'ok\n'
      : `${(verbose ? lines : lines.filter((l) => l.startsWith('[-]'))).join('\n')}\nnot ${url.pathname === '/readyz' ? 'ready' : 'healthy'}\n`;
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
  }
}
