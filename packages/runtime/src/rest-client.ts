import * as http from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { realClock, sleep } from './clock.js';
import {
  InvalidOptionError,
  KubeApiError,
  KubeTransportError,
  KubeUnexpectedResponseError,
  type KubeStatus,
} from './errors.js';
import type { ClusterCredentials } from './kubeconfig.js';

export type QueryValue = string | number | boolean | undefined;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  method?: HttpMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/default/configmaps`. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Sent as JSON (valid YAML too, so it also serves `application/apply-patch+yaml`). */
  body?: unknown;
  /** Content-Type of the body (default application/json; PATCH needs a patch type). */
  contentType?: string;
  signal?: AbortSignal;
  /** Gives up when no byte arrives for this long (default: the client's timeoutMs; streams: as given, none when 0). */
  timeoutMs?: number;
}

export interface RestResponse<T = unknown> {
  status: number;
  /** The parsed JSON body; undefined when the body was empty. */
  body: T;
}

/** Requests sent so far (every attempt, retries included); `writes` counts POST, PUT, PATCH and DELETE. */
export interface RequestStats {
  total: number;
  writes: number;
  byMethod: Record<HttpMethod, number>;
}

export interface RestClientOptions {
  /**
   * Upper bound on connections for requests (keep-alive). Watches have connections of their own,
   * outside this bound: each holds one for as long as it runs. Default unbounded.
   */
  maxSockets?: number;
  /** Default idle timeout of a non-streaming request. Default 60 s. */
  timeoutMs?: number;
  /** How often credentials are re-read from the kubeconfig (exec/OIDC tokens). Default 60 s. */
  credentialsRefreshMs?: number;
  /** Retries of a 429 Too Many Requests (non-streaming requests), honouring Retry-After. Default 3. */
  maxRetriesOn429?: number;
  /** User-Agent header; none when unset. */
  userAgent?: string;
}

interface Credentials {
  /** What the credentials put into request options: auth headers, TLS material, a proxy agent. */
  options: https.RequestOptions;
  /** `options.headers` as plain strings, computed once per load rather than per request. */
  headers: Record<string, string>;
  loadedAt: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Raw JSON requests to the API server with the credentials of a kubeconfig (loadClusterCredentials,
 * or client-node's KubeConfig). Raw requests instead of client-node's typed APIs because the typed
 * models drop fields they do not know (every custom resource's spec) and cannot stream a watch
 * with backpressure. One keep-alive agent (optionally bounded) serves the requests and another the
 * watches, so that long-lived watches never take the places of requests; credentials are re-read
 * periodically and after a 401.
 */
export class RestClient {
  readonly server: URL;
  /** protocol, hostname (IPv6 without brackets) and port of `server`, as request options. */
  private readonly endpoint: http.RequestOptions;
  /** The server URL's path (a proxy prefix, usually empty), without trailing slashes. */
  private readonly basePath: string;
  private readonly proxied: boolean;
  private readonly options: Required<Omit<RestClientOptions, 'userAgent'>> & {
    userAgent: string | undefined;
  };
  /**
   * Keep-alive agents for requests (bounded by maxSockets) and for watches (one socket each), built
   * with the TLS settings of the newest credentials loaded: a request that read its credentials
   * before a reload is still sent through them, and never switches the agents back.
   */
  private readonly agents: { requests?: http.Agent; streams?: http.Agent } = {};
  private agentTls: https.AgentOptions = {};
  /**
   * Request agents replaced by a change of TLS material, kept for close() while they may still hold
   * connections; dropped once seen idle at the next change (not looked at per request). Their connections and the new agent's together may exceed
   * maxSockets for as long as the requests under way last.
   */
  private readonly retired = new Set<http.Agent>();
  private credentials: Credentials | undefined;
  private credentialsLoading: Promise<Credentials> | undefined;
  private readonly counters: RequestStats = {
    total: 0,
    writes: 0,
    byMethod: { GET: 0, POST: 0, PUT: 0, PATCH: 0, DELETE: 0 },
  };

  constructor(
    readonly kubeConfig: ClusterCredentials,
    options: RestClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new InvalidOptionError('kubeConfig', 'has no current cluster');
    try {
      this.server = new URL(cluster.server);
    } catch {
      throw new InvalidOptionError(
        'kubeConfig',
        `cluster ${cluster.name}: invalid server URL ${cluster.server}`,
      );
    }
    const { protocol, hostname, port } = urlToHttpOptions(this.server);
    this.endpoint = { protocol, hostname, port };
    this.basePath = this.server.pathname.replace(/\/+$/, '');
    this.proxied = cluster.proxyUrl !== undefined && cluster.proxyUrl !== '';
    this.options = {
      maxSockets: options.maxSockets ?? Infinity,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      credentialsRefreshMs: options.credentialsRefreshMs ?? 60_000,
      maxRetriesOn429: options.maxRetriesOn429 ?? 3,
      userAgent: options.userAgent,
    };
  }

  /** Sends a request and parses the JSON answer; non-2xx answers throw KubeApiError. */
  async request<T>(req: RestRequest): Promise<T> {
    return (await this.send<T>(req)).body;
  }

  /**
   * Sends a request and returns status and parsed JSON body. Retries once with re-read
   * credentials after a 401 and up to maxRetriesOn429 times after a 429; other non-2xx answers
   * throw KubeApiError, a missing answer KubeTransportError.
   */
  async send<T = unknown>(req: RestRequest): Promise<RestResponse<T>> {
    const method = req.method ?? 'GET';
    let refreshedAfter401 = false;
    let refreshNow = false;
    for (let attempt = 0; ; attempt++) {
      const res = await this.open(
        req,
        req.timeoutMs ?? this.options.timeoutMs,
        refreshNow,
        'requests',
      );
      refreshNow = false;
      const status = res.statusCode ?? 0;
      const body = await readBody(res, req);
      if (status >= 200 && status < 300) {
        if (body.length === 0) return { status, body: undefined as T };
        try {
          return { status, body: JSON.parse(body.toString('utf8')) as T };
        } catch (err) {
          throw new KubeUnexpectedResponseError(method, req.path, err);
        }
      }
      if (status === 401 && !refreshedAfter401) {
        refreshedAfter401 = true;
        refreshNow = true;
        continue;
      }
      const error = apiError(method, req.path, status, body);
      if (status === 429 && attempt < this.options.maxRetriesOn429) {
        const header = res.headers['retry-after'];
        try {
          await sleep(
            realClock,
            retryAfterMs(typeof header === 'string' ? header : undefined, error.statusBody),
            req.signal,
          );
        } catch (reason) {
          throw new KubeTransportError(method, req.path, reason);
        }
        continue;
      }
      throw error;
    }
  }

  /**
   * Opens a streaming response (a watch). Resolves once the status line arrived and was 2xx
   * (after one retry with re-read credentials on a 401); reading the stream is up to the caller,
   * and destroying it (or aborting the signal) ends it.
   */
  async stream(req: RestRequest): Promise<http.IncomingMessage> {
    const method = req.method ?? 'GET';
    for (let refresh = false; ; refresh = true) {
      const res = await this.open(req, req.timeoutMs ?? 0, refresh, 'streams');
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return res;
      const body = await readBody(res, req);
      if (status === 401 && !refresh) continue;
      throw apiError(method, req.path, status, body);
    }
  }

  /** Re-reads the kubeconfig's credentials now (they are also re-read periodically and after a 401). */
  async refreshCredentials(): Promise<void> {
    await this.currentCredentials(true);
  }

  /** A snapshot of the request counters. */
  stats(): RequestStats {
    return { ...this.counters, byMethod: { ...this.counters.byMethod } };
  }

  /** Closes pooled connections, those of requests under way included. */
  close(): void {
    this.replaceAgents();
    for (const agent of this.retired) agent.destroy();
    this.retired.clear();
  }

  /**
   * New agents for new TLS material. Watches end at once and are opened again on the new material.
   * Requests under way, and those already waiting for one of the old connections, finish on them
   * (a write cut off mid-way would leave its outcome unknown); the old connections then close
   * instead of waiting for reuse.
   */
  private replaceAgents(): void {
    const { requests, streams } = this.agents;
    delete this.agents.requests;
    delete this.agents.streams;
    streams?.destroy();
    for (const agent of this.retired) if (idle(agent)) this.retired.delete(agent);
    if (requests === undefined) return;
    requests.maxFreeSockets = 0;
    for (const sockets of Object.values(requests.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
    this.retired.add(requests);
  }

  private count(method: HttpMethod): void {
    this.counters.total++;
    this.counters.byMethod[method]++;
    if (WRITE_METHODS.has(method)) this.counters.writes++;
  }

  private async currentCredentials(force = false): Promise<Credentials> {
    const current = this.credentials;
    if (
      !force &&
      current !== undefined &&
      Date.now() - current.loadedAt < this.options.credentialsRefreshMs
    ) {
      return current;
    }
    this.credentialsLoading ??= (async () => {
      try {
        const options: https.RequestOptions = {};
        await this.kubeConfig.applyToHTTPSOptions(options);
        const tls = definedTlsOptions(options);
        if (!sameTlsOptions(this.agentTls, tls)) {
          this.replaceAgents();
          this.agentTls = tls;
        }
        this.credentials = {
          options,
          headers: headerStrings(options.headers),
          loadedAt: Date.now(),
        };
        return this.credentials;
      } finally {
        this.credentialsLoading = undefined;
      }
    })();
    return this.credentialsLoading;
  }

  /** Sends one attempt and resolves with the response, whatever its status. */
  private async open(
    req: RestRequest,
    timeoutMs: number,
    refreshCredentials: boolean,
    pool: 'requests' | 'streams',
  ): Promise<http.IncomingMessage> {
    const method = req.method ?? 'GET';
    const path = joinPath(this.basePath, req.path) + queryString(req.query);
    let credentials: Credentials;
    try {
      credentials = await this.currentCredentials(refreshCredentials);
    } catch (err) {
      throw new KubeTransportError(method, req.path, err);
    }
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = {
      ...credentials.headers,
      Accept: 'application/json',
      ...(this.options.userAgent !== undefined ? { 'User-Agent': this.options.userAgent } : {}),
      ...req.headers,
    };
    if (payload !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    // The pooled agent carries the TLS material; keeping it out of the request options matters:
    // Node builds the agent's pool key from them and would stringify the PEMs on every request.
    const opts: https.RequestOptions = this.proxied
      ? { ...this.endpoint, ...credentials.options, path, method, headers }
      : {
          ...this.endpoint,
          path,
          method,
          headers,
          agent: this.pooledAgent(pool),
        };
    const transport = this.server.protocol === 'http:' ? http : https;
    // A request whose signal already fired is never sent, so it is not counted either.
    if (req.signal?.aborted === true)
      throw new KubeTransportError(method, req.path, req.signal.reason);
    this.count(method);

    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      // Once the response has begun, its reader must see the reason too, not just a closed stream.
      const fail = (err: KubeTransportError) => {
        response?.destroy(err);
        r.destroy(err);
      };
      const onAbort = () => {
        const err = new KubeTransportError(method, req.path, req.signal?.reason);
        fail(err);
        // A request still waiting for a connection reports its destruction only once it gets one.
        reject(err);
      };
      const r = transport.request(opts, (res) => {
        response = res;
        resolve(res);
      });
      if (timeoutMs > 0) {
        r.setTimeout(timeoutMs, () =>
          fail(new KubeTransportError(method, req.path, new Error(`no data for ${timeoutMs} ms`))),
        );
      }
      req.signal?.addEventListener('abort', onAbort, { once: true });
      r.on('close', () => req.signal?.removeEventListener('abort', onAbort));
      r.on('error', (err) =>
        reject(
          err instanceof KubeTransportError ? err : new KubeTransportError(method, req.path, err),
        ),
      );
      r.end(payload);
    });
  }

  /** The keep-alive agent of a pool, with the TLS settings of the newest credentials. */
  private pooledAgent(pool: 'requests' | 'streams'): http.Agent {
    const existing = this.agents[pool];
    if (existing !== undefined) return existing;
    const bounded = pool === 'requests' && Number.isFinite(this.options.maxSockets);
    const common: http.AgentOptions = {
      keepAlive: true,
      keepAliveMsecs: 30_000,
      scheduling: 'lifo',
      ...(bounded
        ? { maxSockets: this.options.maxSockets, maxFreeSockets: this.options.maxSockets }
        : { maxFreeSockets: 16 }),
    };
    const agent =
      this.server.protocol === 'http:'
        ? new http.Agent(common)
        : new https.Agent({ ...common, ...this.agentTls });
    this.agents[pool] = agent;
    return agent;
  }
}

/** `?k=v&...` for the defined members of `query`, or "" when there are none. */
function queryString(query: RestRequest['query']): string {
  let text = '';
  for (const key in query) {
    const value = query[key];
    if (value === undefined) continue;
    text += `${text === '' ? '?' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`;
  }
  return text;
}

/** `base` (the server URL's path, without trailing slashes) joined with an API path. */
function joinPath(base: string, path: string): string {
  return path.startsWith('/') && !path.startsWith('//')
    ? base + path
    : `${base}/${path.replace(/^\/+/, '')}`;
}

/** TLS settings of the kubeconfig, without undefined members (they would override Node's defaults). */
function definedTlsOptions(options: https.RequestOptions): https.AgentOptions {
  const tls: https.AgentOptions = {};
  if (options.ca !== undefined) tls.ca = options.ca;
  if (options.cert !== undefined) tls.cert = options.cert;
  if (options.key !== undefined) tls.key = options.key;
  if (options.pfx !== undefined) tls.pfx = options.pfx;
  if (options.passphrase !== undefined) tls.passphrase = options.passphrase;
  if (options.servername !== undefined) tls.servername = options.servername;
  if (options.rejectUnauthorized !== undefined) tls.rejectUnauthorized = options.rejectUnauthorized;
  return tls;
}

/** Whether an agent has neither connections nor requests waiting for one. */
function idle(agent: http.Agent): boolean {
  const none = (lists: NodeJS.ReadOnlyDict<unknown[]>) =>
    Object.values(lists).every((list) => list === undefined || list.length === 0);
  return none(agent.sockets) && none(agent.requests) && none(agent.freeSockets);
}

/** Whether two sets of TLS settings are the same (PEM and PFX material compared by content). */
function sameTlsOptions(a: https.AgentOptions, b: https.AgentOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof https.AgentOptions>);
  for (const key of keys) if (!sameTlsValue(a[key], b[key])) return false;
  return true;
}

function sameTlsValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameTlsValue(item, b[i]));
  return false;
}

function headerStrings(headers: http.OutgoingHttpHeaders | readonly string[] | undefined) {
  const out: Record<string, string> = {};
  if (headers === undefined || Array.isArray(headers)) return out;
  for (const [key, value] of Object.entries(headers as http.OutgoingHttpHeaders)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number') out[key] = String(value);
    else if (Array.isArray(value)) out[key] = value.join(', ');
  }
  return out;
}

// 'data' events rather than `for await`: an async iterator costs promises per chunk, and this runs
// for every request.
function readBody(res: http.IncomingMessage, req: RestRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    const fail = (err: unknown) =>
      reject(
        err instanceof KubeTransportError
          ? err
          : new KubeTransportError(req.method ?? 'GET', req.path, err),
      );
    res.once('error', fail);
    // A response cut off mid-body (socket destroyed, request aborted) may close without an error.
    res.once('close', () => {
      if (!res.complete) {
        fail(res.errored ?? new Error('connection closed before the response was complete'));
      }
    });
  });
}

function retryAfterMs(header: string | undefined, status: KubeStatus | undefined): number {
  const seconds = Number(header ?? status?.details?.retryAfterSeconds ?? 1);
  return Math.min(Number.isFinite(seconds) && seconds > 0 ? seconds : 1, 10) * 1000;
}

/** Builds a KubeApiError from a non-2xx answer, using its Status object when there is one. */
export function apiError(method: string, path: string, status: number, body: Buffer): KubeApiError {
  let parsed: KubeStatus | undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null && (value as KubeStatus).kind === 'Status') {
      parsed = value as KubeStatus;
    }
  } catch {
    // not JSON (a proxy's HTML error page, for example): keep the (truncated) text
  }
  const text = body.toString('utf8').slice(0, 500);
  return new KubeApiError(
    method,
    path,
    status,
    parsed?.reason,
    parsed === undefined ? text : (parsed.message ?? text),
    parsed,
  );
}
