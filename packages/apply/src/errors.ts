import { describeRef, type ObjectRef } from './object-ref.js';
import {
  KubeApiError,
  KubeTransportError,
  KubeUnexpectedResponseError,
  type KubeStatus,
  type StatusCause,
} from '@lynq/runtime';
import { parseConflictCauses, type FieldConflict } from './conflict-causes.js';

/**
 * Codes of this package's errors. The API server's answers and missing answers are @lynq/runtime's
 * (ApiError and its subclasses: `API_ERROR`, `CONFLICT`, `FIELD_VALIDATION`; TransportError and
 * UnexpectedResponseError: `TRANSPORT_ERROR`).
 */
export type ApplyErrorCode =
  | 'API_ERROR'
  | 'CONFLICT'
  | 'UNKNOWN_KIND'
  | 'INVALID_OBJECT'
  | 'TRANSPORT_ERROR'
  | 'KUBECONFIG'
  | 'FIELD_VALIDATION'
  | 'ABORTED'
  | 'NOT_OURS';

/**
 * Base class of the errors this package throws, except the API server's answers: those are
 * ApiError and its subclasses, which extend @lynq/runtime's KubeApiError (one HTTP error family).
 */
export abstract class ApplyError extends Error {
  abstract readonly code: ApplyErrorCode;
  /** The object the failed operation was about, when there is one. */
  readonly object: ObjectRef | undefined;

  constructor(message: string, object: ObjectRef | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.object = object;
  }
}

export type { KubeStatus, StatusCause };

export interface ApiErrorInit {
  /** HTTP status code. */
  status: number;
  method: string;
  path: string;
  object?: ObjectRef | undefined;
  /** The response body when it was a `Status`; otherwise undefined. */
  body?: KubeStatus | undefined;
  /** The raw response text when it was not a `Status` (truncated). */
  text?: string | undefined;
}

/**
 * The API server answered with an error status: @lynq/runtime's KubeApiError (one HTTP error family
 * for the project) with the object the request was about and the reason always set.
 */
export class ApiError extends KubeApiError {
  /** `Status.reason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, ...), or from the status. */
  declare readonly reason: string;
  /** The object the failed operation was about, when there is one. */
  readonly object: ObjectRef | undefined;

  constructor(init: ApiErrorInit, options?: ErrorOptions) {
    const reason = init.body?.reason ?? reasonForStatus(init.status);
    const serverMessage = init.body?.message ?? init.text ?? '';
    super(init.method, init.path, init.status, reason, serverMessage, init.body);
    if (options?.cause !== undefined) this.cause = options.cause;
    const subject = init.object !== undefined ? describeRef(init.object) : init.path;
    this.message = `${init.method} ${subject}: ${init.status} ${reason}${serverMessage !== '' ? `: ${serverMessage}` : ''}`;
    this.object = init.object;
  }

  /** `Status.message` as the server wrote it (KubeApiError's `apiMessage`). */
  get serverMessage(): string {
    return this.apiMessage;
  }
  /** A resourceVersion precondition failed (optimistic concurrency), not an SSA field conflict. */
  get isStale(): boolean {
    return this.status === 409 && this.reason === 'Conflict' && !hasFieldManagerConflicts(this);
  }
}

/**
 * Server-Side Apply refused to take fields another field manager owns (HTTP 409 without force,
 * that is conflictPolicy Stuck).
 */
export class ConflictError extends ApiError {
  override readonly code = 'CONFLICT';
  /** Each conflicting field with the manager that owns it. */
  readonly conflicts: readonly FieldConflict[];
  /** The distinct conflicting field managers, in order of appearance. */
  readonly managers: readonly string[];

  constructor(init: ApiErrorInit, options?: ErrorOptions) {
    super(init, options);
    this.conflicts = parseConflictCauses(init.body?.details?.causes ?? []);
    this.managers = [...new Set(this.conflicts.map((c) => c.manager))];
    const fields = this.conflicts.map((c) => `${c.field} (${c.manager})`).join(', ');
    this.message = `resource conflict for ${
      init.object !== undefined ? describeRef(init.object) : init.path
    }: fields owned by another field manager: ${fields || this.serverMessage}`;
  }
}

export function hasFieldManagerConflicts(error: { causes: readonly StatusCause[] }): boolean {
  return error.causes.some((c) => c.reason === 'FieldManagerConflict');
}

/**
 * The server refused fields its schema does not declare (`fieldValidation=Strict`): a misspelled
 * or misplaced field. Server-Side Apply reports this as a 500 "failed to create typed patch
 * object", create/update as a 400 "strict decoding error"; both become this error.
 */
export class FieldValidationError extends ApiError {
  override readonly code = 'FIELD_VALIDATION';
  /** The unknown fields, as the server names them (`.spec.replicaz` or `spec.replicaz`). */
  readonly fields: readonly string[];

  constructor(init: ApiErrorInit, fields: readonly string[], options?: ErrorOptions) {
    super(init, options);
    this.fields = fields;
    const subject = init.object !== undefined ? describeRef(init.object) : init.path;
    this.message = `${subject}: unknown field${fields.length > 1 ? 's' : ''} ${fields.join(', ')} (not in the schema of ${
      init.object?.kind ?? 'the kind'
    }; misspelled or misplaced?)`;
  }
}

/** Unknown-field names in a strict field validation failure, or [] when it is not one. */
export function unknownFieldsOf(status: number, message: string): string[] {
  if (status === 500 || status === 400 || status === 422) {
    const undeclared = [...message.matchAll(/(\.[^\s:]*): field not declared in schema/g)].map(
      (m) => m[1] ?? '',
    );
    if (undeclared.length > 0) return undeclared;
  }
  if (status === 400 && message.includes('strict decoding error')) {
    return [...message.matchAll(/unknown field "([^"]+)"/g)].map((m) => m[1] ?? '');
  }
  return [];
}

/** The API server does not serve this apiVersion + kind (even after refreshing discovery). */
export class UnknownKindError extends ApplyError {
  readonly code: ApplyErrorCode = 'UNKNOWN_KIND';
  readonly apiVersion: string;
  readonly kind: string;

  constructor(apiVersion: string, kind: string, detail: string, object?: ObjectRef) {
    super(
      `unknown kind ${kind} in ${apiVersion}: ${detail}${
        object !== undefined && object.name !== '' ? ` (object ${describeRef(object)})` : ''
      }`,
      object,
    );
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** The caller passed an object this package cannot send: names the field and what is wrong. */
export class InvalidObjectError extends ApplyError {
  readonly code: ApplyErrorCode = 'INVALID_OBJECT';
  /** Dotted path of the offending field, e.g. `metadata.name`. */
  readonly field: string;
  readonly problem: string;

  constructor(object: ObjectRef, field: string, problem: string) {
    super(`${describeRef(object)}: ${field}: ${problem}`, object);
    this.field = field;
    this.problem = problem;
  }
}

/**
 * The request never got an HTTP answer (connection refused, reset, timeout): @lynq/runtime's
 * KubeTransportError (code `TRANSPORT_ERROR`) with the object the request was about.
 */
export class TransportError extends KubeTransportError {
  /** The object the failed operation was about, when there is one. */
  readonly object: ObjectRef | undefined;

  constructor(method: string, path: string, cause: unknown, object?: ObjectRef) {
    super(method, path, cause);
    this.object = object;
  }
}

/**
 * The caller's AbortSignal fired (a lost lease, a shutdown): the operation stopped, and a request
 * not yet sent never will be. A request in flight when the signal fired may still have reached the
 * server.
 */
export class AbortedError extends ApplyError {
  readonly code: ApplyErrorCode = 'ABORTED';
  /** The request that was stopped; undefined when the operation stopped before sending one. */
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** The signal's reason (also the `cause`). */
  readonly reason: unknown;

  constructor(
    reason: unknown,
    where: {
      method?: string | undefined;
      path?: string | undefined;
      object?: ObjectRef | undefined;
    },
  ) {
    const detail = reason instanceof Error ? reason.message : String(reason);
    const subject = where.object !== undefined ? describeRef(where.object) : (where.path ?? '');
    const prefix = [where.method, subject].filter((s) => s !== undefined && s !== '').join(' ');
    super(`${prefix !== '' ? `${prefix}: ` : ''}aborted: ${detail}`, where.object, {
      cause: reason,
    });
    this.method = where.method;
    this.path = where.path;
    this.reason = reason;
  }
}

/**
 * The server answered 2xx with a body this package cannot read: @lynq/runtime's
 * KubeUnexpectedResponseError (a KubeTransportError for callers) with the object concerned.
 */
export class UnexpectedResponseError extends KubeUnexpectedResponseError {
  /** The object the failed operation was about, when there is one. */
  readonly object: ObjectRef | undefined;

  constructor(method: string, path: string, detail: string, object?: ObjectRef) {
    super(method, path, new Error(detail));
    this.object = object;
  }
}

function reasonForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'Unknown';
  }
}

/** The kubeconfig has no usable current cluster or user. */
export class KubeConfigError extends ApplyError {
  readonly code: ApplyErrorCode = 'KUBECONFIG';
  constructor(detail: string) {
    super(`kubeconfig: ${detail}`, undefined);
  }
}

/** An ApiError, or a ConflictError when the body reports field manager conflicts. */
export function apiErrorFor(init: ApiErrorInit, options?: ErrorOptions): ApiError {
  const causes = init.body?.details?.causes ?? [];
  if (init.status === 409 && hasFieldManagerConflicts({ causes })) {
    return new ConflictError(init, options);
  }
  const unknownFields = unknownFieldsOf(init.status, init.body?.message ?? '');
  if (unknownFields.length > 0) return new FieldValidationError(init, unknownFields, options);
  return new ApiError(init, options);
}

/**
 * The object exists and is not this node's to write: another LynqNode manages it (two resources
 * render the same name), or nothing of Lynq's is on it (a user's object) and adoption was not
 * allowed. Nothing was written.
 */
export class NotOursError extends ApplyError {
  readonly code: ApplyErrorCode = 'NOT_OURS';
  /** `another-node` (with its name in the message) or `foreign`. */
  readonly owner: 'another-node' | 'foreign';

  constructor(object: ObjectRef, owner: 'another-node' | 'foreign', detail: string) {
    super(`${describeRef(object)} ${detail}`, object);
    this.owner = owner;
  }
}
