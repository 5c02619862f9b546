/** Machine-readable error codes of @lynq/runtime. */
export type RuntimeErrorCode =
  | KubeApiErrorCode
  | 'TRANSPORT_ERROR'
  | 'WATCH_EXPIRED'
  | 'WATCH_DECODE'
  | 'QUEUE_SHUT_DOWN'
  | 'LEADERSHIP_LOST'
  | 'INVALID_OPTION'
  | 'TIMEOUT'
  | 'STOPPED';

/**
 * The codes of KubeApiError: `API_ERROR`, refined by @lynq/apply's subclasses into `CONFLICT`
 * (Server-Side Apply field conflicts) and `FIELD_VALIDATION` (fields the schema does not know).
 */
export type KubeApiErrorCode = 'API_ERROR' | 'CONFLICT' | 'FIELD_VALIDATION';

/** Base class of every error this package throws. */
export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One entry of a Kubernetes `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parts of a Kubernetes `Status` body the client reads. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/**
 * The API server answered with a non-2xx status (its Status object, when it sent one, is parsed).
 * The one HTTP error class of the project: @lynq/apply's ApiError family extends it, so
 * `err instanceof KubeApiError` and `err.status` hold whichever package made the request.
 */
export class KubeApiError extends RuntimeError {
  declare readonly code: KubeApiErrorCode;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** Status.reason, e.g. `NotFound`, `Conflict`, `Expired`. */
    readonly reason: string | undefined,
    /** Status.message, or the (truncated) body text when the answer was not a Status. */
    readonly apiMessage: string,
    /** The whole Status object, when the answer was one (causes, retryAfterSeconds, ...). */
    readonly statusBody?: KubeStatus,
  ) {
    super('API_ERROR', `${method} ${path}: ${status}${reason ? ` ${reason}` : ''}: ${apiMessage}`);
  }

  /** `Status.details.causes` (field paths of a 422, field managers of an apply conflict). */
  get causes(): readonly StatusCause[] {
    return this.statusBody?.details?.causes ?? [];
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isAlreadyExists(): boolean {
    return this.status === 409 && this.reason === 'AlreadyExists';
  }
}

/** The request never got an answer (connection refused or reset, TLS failure, timeout). */
export class KubeTransportError extends RuntimeError {
  constructor(
    readonly method: string,
    readonly path: string,
    cause: unknown,
  ) {
    super('TRANSPORT_ERROR', `${method} ${path}: ${errorMessage(cause)}`, { cause });
  }
}

/** The server answered 2xx with a body that is not JSON (still a KubeTransportError for callers). */
export class KubeUnexpectedResponseError extends KubeTransportError {}

/** The resourceVersion a watch or list continued from has been compacted away (HTTP 410 Gone). */
export class WatchExpiredError extends RuntimeError {
  constructor(
    readonly path: string,
    readonly resourceVersion: string,
    apiMessage: string,
  ) {
    super(
      'WATCH_EXPIRED',
      `watch ${path} from resourceVersion ${resourceVersion} expired: ${apiMessage}`,
    );
  }
}

/** A watch stream carried something that is not a watch event. */
export class WatchDecodeError extends RuntimeError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('WATCH_DECODE', `watch ${path}: ${detail}`);
  }
}

/** An option has a value the runtime cannot work with. */
export class InvalidOptionError extends RuntimeError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super('INVALID_OPTION', `option ${option}: ${detail}`);
  }
}

/** Leadership of a Lease was lost (or could not be renewed within the renew deadline). */
export class LeadershipLostError extends RuntimeError {
  constructor(
    readonly lease: string,
    readonly identity: string,
  ) {
    super('LEADERSHIP_LOST', `${identity} lost leadership of lease ${lease}`);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code)
      ? `${err.message} (${code})`
      : err.message;
  }
  return String(err);
}
