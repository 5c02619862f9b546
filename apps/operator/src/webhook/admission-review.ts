// The AdmissionReview envelope of admission.k8s.io/v1: what the API server sends a webhook and
// what it expects back. A body that is not a v1 AdmissionReview with a request is a BadReviewError
// (HTTP 400), never a crash; so is one that is not UTF-8, or nested or crowded past what any
// LynqHub or LynqForm needs (measured before JSON.parse, which would otherwise spend seconds and
// hundreds of MB on a hostile 8 MiB body, and whose result every later step walks recursively).

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The fields of AdmissionRequest the webhooks read. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  operation: Operation;
  name?: string;
  namespace?: string;
  subResource?: string;
  /** The object as it would be stored (CREATE, UPDATE); absent on DELETE. */
  object?: unknown;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: unknown;
  dryRun?: boolean;
}

/** A metav1.Status cause: one field and what is wrong with it. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface AdmissionStatus {
  code: number;
  reason?: string;
  message: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  /** base64 of a JSON Patch (RFC 6902). */
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A request body the webhook cannot answer; the message says what is wrong with it. */
export class BadReviewError extends Error {
  override readonly name = 'BadReviewError';
}

/**
 * A body refused for its size or shape before it was parsed. `uid` is the request's, when the
 * envelope's start names it (the API server writes request.uid first): the refusal can then be
 * an AdmissionReview the API server shows its client, rather than an HTTP error it cannot explain.
 */
export class OversizedReviewError extends BadReviewError {
  constructor(
    message: string,
    readonly uid: string | undefined,
  ) {
    super(message);
  }
}

/** The request.uid at the start of AdmissionReview text, if it is there (a UUID's characters). */
export function leadingUid(text: string): string | undefined {
  return /"request"\s*:\s*\{\s*"uid"\s*:\s*"([0-9A-Za-z-]{1,64})"/.exec(text.slice(0, 4096))?.[1];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Longest uid, name, namespace, kind, group or version taken: a uid is a UUID, names are at most
 * 253 characters. Longer ones are not from an API server and would be echoed and logged.
 */
const MAX_STRING = 253;

function optionalString(v: unknown, field: string): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (v.length > MAX_STRING)
    throw new BadReviewError(`${field} is longer than ${MAX_STRING} characters`);
  return v;
}

/** How much structure a review body may have. */
export interface ReviewLimits {
  /** Containers (objects, arrays) inside one another, the envelope's three included. */
  maxDepth: number;
  /** JSON values, counted as the objects and arrays plus the commas between members and items. */
  maxValues: number;
}

/**
 * The object's own limit in @lynq/api is 1,000 levels; the envelope (review, request, object)
 * adds three. Deeper bodies are refused before they are parsed.
 */
export const MAX_REVIEW_DEPTH = 1_003;
/**
 * A form of a thousand resources has some 50,000 values, twice that on UPDATE (object and
 * oldObject). 8 MiB of `[{},{},...]` has 2.7 million, which JSON.parse alone turns into 170 MB.
 */
export const MAX_REVIEW_VALUES = 250_000;

export const DEFAULT_REVIEW_LIMITS: ReviewLimits = {
  maxDepth: MAX_REVIEW_DEPTH,
  maxValues: MAX_REVIEW_VALUES,
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as text; the API server sends UTF-8 JSON, anything else is refused, never repaired. */
export function decodeBody(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new BadReviewError('the body is not UTF-8 text');
  }
}

/**
 * Refuses JSON text nested deeper than `maxDepth` or holding more than `maxValues` values, in one
 * pass over the text that allocates nothing; returns the number of values (what parsing it will
 * cost, roughly). Malformed text is left for JSON.parse to describe.
 */
export function checkReviewShape(text: string, limits: ReviewLimits): number {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    switch (c) {
      case 0x22:
        inString = true;
        break;
      case 0x7b /* { */:
      case 0x5b /* [ */:
        if (++depth > limits.maxDepth)
          throw new OversizedReviewError(
            `the body is nested more than ${limits.maxDepth} levels deep (at character ${i}); no LynqHub or LynqForm is`,
            leadingUid(text),
          );
        values++;
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        depth--;
        break;
      case 0x2c /* , */:
        values++;
        break;
    }
    if (values > limits.maxValues)
      throw new OversizedReviewError(
        `the body holds more than ${limits.maxValues} JSON values; no LynqHub or LynqForm does`,
        leadingUid(text),
      );
  }
  return values;
}

/**
 * The request of an AdmissionReview body (UTF-8 JSON bytes, or text), or a BadReviewError saying
 * what is wrong with it.
 */
export function readAdmissionReview(
  body: Uint8Array | string,
  limits: ReviewLimits = DEFAULT_REVIEW_LIMITS,
): AdmissionRequest {
  const text = typeof body === 'string' ? body : decodeBody(body);
  checkReviewShape(text, limits);
  return parseAdmissionReview(text);
}

/** The request of AdmissionReview text that checkReviewShape has accepted. */
export function parseAdmissionReview(text: string): AdmissionRequest {
  let review: unknown;
  try {
    review = JSON.parse(text);
  } catch (err) {
    throw new BadReviewError(
      `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!isObject(review)) throw new BadReviewError('the body is not an AdmissionReview object');
  if (review['kind'] !== 'AdmissionReview' || review['apiVersion'] !== ADMISSION_API_VERSION)
    throw new BadReviewError(
      `expected kind AdmissionReview of apiVersion ${ADMISSION_API_VERSION}, got ${JSON.stringify(review['kind'] ?? null)} of ${JSON.stringify(review['apiVersion'] ?? null)} (register the webhook with admissionReviewVersions: [v1])`,
    );
  const request = review['request'];
  if (!isObject(request)) throw new BadReviewError('request is missing');
  const uid = optionalString(request['uid'], 'request.uid');
  if (uid === undefined) throw new BadReviewError('request.uid is missing');
  const kind = request['kind'];
  const kindName = isObject(kind) ? optionalString(kind['kind'], 'request.kind.kind') : undefined;
  if (!isObject(kind) || kindName === undefined)
    throw new BadReviewError('request.kind is missing');
  const operation = request['operation'];
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation))
    throw new BadReviewError(
      `request.operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(operation ?? null)}`,
    );
  const out: AdmissionRequest = {
    uid,
    kind: {
      group: optionalString(kind['group'], 'request.kind.group') ?? '',
      version: optionalString(kind['version'], 'request.kind.version') ?? '',
      kind: kindName,
    },
    operation: operation as Operation,
  };
  const name = optionalString(request['name'], 'request.name');
  const namespace = optionalString(request['namespace'], 'request.namespace');
  const subResource = optionalString(request['subResource'], 'request.subResource');
  if (name !== undefined) out.name = name;
  if (namespace !== undefined) out.namespace = namespace;
  if (subResource !== undefined) out.subResource = subResource;
  // `null` is how the API server sends an absent object.
  if (request['object'] != null) out.object = request['object'];
  if (request['oldObject'] != null) out.oldObject = request['oldObject'];
  if (request['dryRun'] === true) out.dryRun = true;
  return out;
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
