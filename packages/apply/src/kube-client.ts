import {
  KubeApiError,
  KubeTransportError,
  KubeUnexpectedResponseError,
  RestClient,
  type ClusterCredentials,
  type HttpMethod,
  type RequestStats,
} from '@lynq/runtime';
import { throwIfAborted } from './abort.js';
import {
  AbortedError,
  apiErrorFor,
  KubeConfigError,
  TransportError,
  UnexpectedResponseError,
} from './errors.js';
import type { ObjectRef } from './object-ref.js';

export type { HttpMethod, RequestStats };

export interface KubeRequest {
  method: HttpMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/a/configmaps/b`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Sent as JSON (valid YAML too, so it also serves `application/apply-patch+yaml`). */
  body?: unknown;
  /** Defaults to `application/json` when there is a body. */
  contentType?: string;
  /** The object the request is about, for error messages. */
  object?: ObjectRef | undefined;
  /**
   * Cancels the request: an already-aborted signal rejects at once without sending anything; one
   * that fires in flight ends the request. Either way the rejection is an AbortedError.
   */
  signal?: AbortSignal | undefined;
}

export interface KubeResponse {
  status: number;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
}

export interface KubeClientOptions {
  /** Upper bound on connections for requests (keep-alive); watches have their own. Default 32. */
  maxSockets?: number;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** How often credentials are re-read from the kubeconfig (exec/OIDC tokens). Default 60 s. */
  credentialsRefreshMs?: number;
  /** Retries of a 429 Too Many Requests, honouring Retry-After. Default 3. */
  maxRetriesOn429?: number;
  userAgent?: string;
}

/**
 * The applier's view of @lynq/runtime's RestClient (the project's one Kubernetes HTTP client):
 * apply's defaults (bounded pool of 32 sockets, 30 s timeout, `lynq-apply` user agent) and the
 * runtime's errors mapped to this package's domain errors (ApiError, ConflictError,
 * FieldValidationError, TransportError), naming the object a request was about.
 */
export class KubeClient {
  private constructor(
    /** The underlying runtime client; share it with informers and the rest of the runtime. */
    readonly rest: RestClient,
  ) {}

  get server(): URL {
    return this.rest.server;
  }

  /**
   * Wraps an existing runtime client, so that the applier, informers and leader election share
   * one connection pool, retry policy and set of request metrics.
   */
  static fromRestClient(rest: RestClient): KubeClient {
    return new KubeClient(rest);
  }

  /**
   * Builds a client for the kubeconfig's current context: @lynq/runtime's loadClusterCredentials,
   * or client-node's KubeConfig.
   */
  static async fromKubeConfig(
    kc: ClusterCredentials,
    options: KubeClientOptions = {},
  ): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new KubeConfigError('no current cluster');
    try {
      new URL(cluster.server);
    } catch {
      throw new KubeConfigError(`cluster ${cluster.name}: invalid server URL ${cluster.server}`);
    }
    const rest = new RestClient(kc, {
      maxSockets: options.maxSockets ?? 32,
      timeoutMs: options.timeoutMs ?? 30_000,
      credentialsRefreshMs: options.credentialsRefreshMs ?? 60_000,
      maxRetriesOn429: options.maxRetriesOn429 ?? 3,
      userAgent: options.userAgent ?? 'lynq-apply',
    });
    await rest.refreshCredentials();
    return new KubeClient(rest);
  }

  /** A snapshot of the request counters. */
  stats(): RequestStats {
    return this.rest.stats();
  }

  /** Closes idle keep-alive connections; in-flight requests finish. */
  close(): void {
    this.rest.close();
  }

  /**
   * Sends one request. Resolves with 2xx responses; rejects with ApiError (ConflictError for SSA
   * field conflicts) for error statuses, TransportError when no answer arrived and AbortedError
   * when `req.signal` fired first.
   */
  async request(req: KubeRequest): Promise<KubeResponse> {
    const { signal } = req;
    throwIfAborted(signal, req);
    try {
      const res = await this.rest.send({
        method: req.method,
        path: req.path,
        ...(req.query !== undefined ? { query: req.query } : {}),
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.contentType !== undefined ? { contentType: req.contentType } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
      return { status: res.status, body: res.body };
    } catch (err) {
      // An answer the server sent is still reported as such; a missing one is the abort's doing.
      if (signal?.aborted === true && !(err instanceof KubeApiError))
        throw new AbortedError(signal.reason, req);
      throw applyErrorOf(err, req);
    }
  }
}

/** Maps the runtime client's errors to this package's, keeping the original as `cause`. */
function applyErrorOf(err: unknown, req: KubeRequest): unknown {
  if (err instanceof KubeApiError) {
    return apiErrorFor(
      {
        status: err.status,
        method: req.method,
        path: req.path,
        object: req.object,
        body: err.statusBody,
        text: err.statusBody === undefined ? err.apiMessage : undefined,
      },
      { cause: err },
    );
  }
  if (err instanceof KubeUnexpectedResponseError) {
    return new UnexpectedResponseError(req.method, req.path, 'response is not JSON', req.object);
  }
  if (err instanceof KubeTransportError) {
    return new TransportError(req.method, req.path, err.cause, req.object);
  }
  return err;
}
