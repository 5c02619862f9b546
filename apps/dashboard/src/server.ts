// The dashboard's HTTP server: the UI's static files, a read-only JSON API and a server-sent
// event stream of deltas. GET and HEAD only; every other method is refused.
import { readFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { LynqForm, LynqHub, LynqNode } from '@lynq/api';
import type { Logger } from '@lynq/runtime';
import { formDetail, hubDetail, nodeDetail, type LiveReader } from './details.js';
import type { LiveState } from './live-state.js';
import { hostOf } from './hosts.js';
import type { Delta } from './view-model.js';

export interface DashboardServerOptions {
  state: LiveState;
  read: LiveReader;
  /** Directory with index.html and assets/ (the built UI). */
  publicDir: string;
  logger: Logger;
  /** Readiness beyond "informers synced" (e.g. informer errors). */
  problems?: () => string[];
  /** Heartbeat comment interval on event streams (default 15 s). */
  heartbeatMs?: number;
  /**
   * Host header values accepted (lower case, without port; see hosts.ts), as a list or a rule.
   * When set, other hosts are refused: a web page must not read the API through DNS rebinding.
   */
  allowedHosts?: readonly string[] | ((host: string) => boolean);
  /** Event streams open at once; more are answered 503 (each may buffer a snapshot). Default 64. */
  maxStreams?: number;
  /**
   * Connections open at once; more are closed as they arrive. Default 256: a slow reader of a
   * snapshot of 10,000 nodes holds about 5 MB of it in its socket buffer.
   */
  maxConnections?: number;
  /**
   * Node pages being built at once (each reads every object of the node from the API server);
   * more are answered 503, so requests to this port cannot pile up reads on the API server.
   * Default 16.
   */
  maxNodeReads?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** A browser further behind than its socket buffer can hold is dropped; it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class DashboardServer {
  private server: http.Server | undefined;
  private readonly files = new Map<string, { body: Buffer; type: string }>();
  private readonly streams = new Set<http.ServerResponse>();
  /** Distinguishes this run's event ids from a previous run's (seq starts at 0 again). */
  private readonly epoch = Date.now().toString(36);
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private nodeReads = 0;

  constructor(private readonly options: DashboardServerOptions) {}

  /** Loads the UI files and listens. Returns the bound address. */
  async listen(port: number, host: string): Promise<AddressInfo> {
    await this.loadFiles(this.options.publicDir, '');
    if (!this.files.has('/index.html'))
      throw new Error(
        `dashboard UI not found: ${join(this.options.publicDir, 'index.html')} is missing (run the build)`,
      );
    const server = http.createServer((req, res) => {
      const started = performance.now();
      res.once('finish', () => {
        if (!(req.url ?? '').startsWith('/api/') || req.url === '/api/v1/stream') return;
        this.options.logger.log('debug', 'request', {
          method: req.method ?? '',
          path: req.url ?? '',
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        });
      });
      this.handle(req, res).catch((err: unknown) => {
        this.options.logger.log('error', 'request failed', {
          path: req.url ?? '',
          error: err instanceof Error ? err.message : String(err),
        });
        if (!res.headersSent) this.json(res, 500, { error: 'internal error' });
        else res.end();
      });
    });
    server.maxConnections = this.options.maxConnections ?? 256;
    this.server = server;
    this.unsubscribe = this.options.state.subscribe((d) => this.broadcast(d));
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) if (this.keep(s)) s.write(': ping\n\n');
    }, this.options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async loadFiles(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.loadFiles(path, `${prefix}/${entry.name}`);
      else
        this.files.set(`${prefix}/${entry.name}`, {
          body: await readFile(path),
          type: TYPES[extname(entry.name)] ?? 'application/octet-stream',
        });
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      this.json(res, 405, { error: 'the dashboard is read-only' });
      return;
    }
    const allowed = this.options.allowedHosts;
    if (allowed !== undefined) {
      const host = hostOf(req.headers.host);
      if (typeof allowed === 'function' ? !allowed(host) : !allowed.includes(host)) {
        this.json(res, 403, { error: 'host not allowed' });
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    if (path === '/healthz') return this.text(res, 200, 'ok');
    if (path === '/readyz') return this.ready(res);
    if (path.startsWith('/api/')) return this.api(req, res, url);
    const file =
      this.files.get(path) ??
      (path.startsWith('/assets/') ? undefined : this.files.get('/index.html'));
    if (file === undefined) return this.json(res, 404, { error: `not found: ${path}` });
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  private ready(res: http.ServerResponse): void {
    const problems = this.options.problems?.() ?? [];
    if (this.options.state.synced && problems.length === 0) return this.text(res, 200, 'ok');
    this.text(res, 503, problems.length > 0 ? problems.join('\n') : 'informers not synced yet');
  }

  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const { state } = this.options;
    let parts: string[];
    try {
      parts = url.pathname
        .split('/')
        .filter((p) => p !== '')
        .map(decodeURIComponent);
    } catch {
      // A malformed %-escape is the client's mistake, not a server error worth logging.
      return this.json(res, 400, { error: 'malformed path' });
    }
    // ['api', 'v1', collection, namespace?, name?]
    if (parts[0] !== 'api' || parts[1] !== 'v1')
      return this.json(res, 404, { error: 'unknown API version' });
    const [, , what, ns, name] = parts;
    if (parts.length === 3) {
      switch (what) {
        case 'stream':
          return this.stream(req, res, url);
        case 'snapshot':
        case 'topology':
          return this.json(res, 200, state.snapshot());
        case 'overview':
          return this.json(res, 200, state.overview());
        case 'hubs':
        case 'forms':
        case 'nodes':
        case 'orphans':
          return this.json(res, 200, { items: state.list(what) });
      }
    }
    if (parts.length === 5 && ns !== undefined && name !== undefined) {
      const id = `${ns}/${name}`;
      let detail: unknown;
      if (what === 'hubs') {
        const hub: LynqHub | undefined = state.hubs.get(id);
        detail = hub && hubDetail(state, hub);
      } else if (what === 'forms') {
        const form: LynqForm | undefined = state.forms.get(id);
        detail = form && formDetail(state, form);
      } else if (what === 'nodes') {
        const node: LynqNode | undefined = state.nodes.get(id);
        if (node !== undefined && this.nodeReads >= (this.options.maxNodeReads ?? 16)) {
          res.setHeader('Retry-After', '2');
          return this.json(res, 503, { error: 'too many node pages being read, try again' });
        }
        this.nodeReads++;
        try {
          detail = node && (await nodeDetail(state, node, this.options.read));
        } finally {
          this.nodeReads--;
        }
      } else return this.json(res, 404, { error: `unknown collection ${what ?? ''}` });
      if (detail === undefined) return this.json(res, 404, { error: `${what} ${id} not found` });
      return this.json(res, 200, detail);
    }
    this.json(res, 404, { error: `not found: ${url.pathname}` });
  }

  /**
   * Server-sent events: `snapshot` (everything) first, then `delta`s. A reconnecting browser
   * sends Last-Event-ID; it gets the deltas it missed, or a snapshot when they are gone.
   */
  private stream(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const { state } = this.options;
    if (req.method === 'HEAD') {
      // A HEAD response has no body: nothing would ever reach the client, so no stream is kept.
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.end();
      return;
    }
    if (this.streams.size >= (this.options.maxStreams ?? 64)) {
      res.setHeader('Retry-After', '10');
      return this.json(res, 503, { error: 'too many event streams open' });
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const last = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? undefined;
    const missed = this.missedSince(typeof last === 'string' ? last : undefined);
    if (missed === undefined) this.send(res, 'snapshot', state.lastSeq, state.snapshot());
    else for (const d of missed) this.send(res, 'delta', d.seq, d);
    this.streams.add(res);
    this.options.logger.log('debug', 'stream opened', {
      resumed: missed !== undefined,
      streams: this.streams.size,
    });
    const drop = () => {
      if (this.streams.delete(res))
        this.options.logger.log('debug', 'stream closed', { streams: this.streams.size });
    };
    req.on('close', drop);
    res.on('error', drop);
  }

  private missedSince(lastEventId: string | undefined): Delta[] | undefined {
    if (lastEventId === undefined) return undefined;
    const [epoch, seq] = lastEventId.split('-');
    if (epoch !== this.epoch || seq === undefined) return undefined;
    return this.options.state.deltasSince(Number(seq));
  }

  private broadcast(delta: Delta): void {
    for (const res of this.streams) if (this.keep(res)) this.send(res, 'delta', delta.seq, delta);
  }

  /** False (and the stream is dropped) when the browser is further behind than we buffer for. */
  private keep(res: http.ServerResponse): boolean {
    if (res.writableLength <= MAX_BUFFERED_BYTES) return true;
    this.streams.delete(res);
    res.destroy();
    return false;
  }

  private send(res: http.ServerResponse, event: string, seq: number, data: unknown): void {
    res.write(`id: ${this.epoch}-${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    res.end(text);
  }

  private text(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(body);
  }
}
