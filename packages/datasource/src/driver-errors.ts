/** What a SQL driver's error is about, for the messages its error mapper writes. */
export interface DriverErrorContext {
  hub: string;
  /** `host:port` (`[v6]:port`). */
  endpoint: string;
  /** The table as the hub names it: `database.table` (MySQL), `schema.table` (PostgreSQL). */
  table: string;
  database: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/** Node socket error codes meaning the server could not be reached (CONNECT_FAILED). */
export const CONNECT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Node TLS error codes meaning negotiation or certificate verification failed (TLS_FAILED). */
export const TLS_ERROR_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** `host:port`, with an IPv6 host in brackets. */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
