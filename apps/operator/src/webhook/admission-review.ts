// The AdmissionReview envelope of admission.k8s.io/v1: what the API server sends a webhook and
// what it expects back. A body that is not a v1 AdmissionReview with a request is a BadReviewError
// (HTTP 400), never a crash.

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

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const optionalString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** The request of an AdmissionReview body (JSON text), or a BadReviewError saying what is wrong. */
export function readAdmissionReview(body: string): AdmissionRequest {
  let review: unknown;
  try {
    review = JSON.parse(body);
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
  const uid = optionalString(request['uid']);
  if (uid === undefined) throw new BadReviewError('request.uid is missing');
  const kind = request['kind'];
  if (!isObject(kind) || typeof kind['kind'] !== 'string' || kind['kind'] === '')
    throw new BadReviewError('request.kind is missing');
  const operation = request['operation'];
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation))
    throw new BadReviewError(
      `request.operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(operation ?? null)}`,
    );
  const out: AdmissionRequest = {
    uid,
    kind: {
      group: typeof kind['group'] === 'string' ? kind['group'] : '',
      version: typeof kind['version'] === 'string' ? kind['version'] : '',
      kind: kind['kind'],
    },
    operation: operation as Operation,
  };
  const name = optionalString(request['name']);
  const namespace = optionalString(request['namespace']);
  const subResource = optionalString(request['subResource']);
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
