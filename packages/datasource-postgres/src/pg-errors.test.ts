import { describe, expect, it } from 'vitest';
import { pgError } from './pg-errors.js';

const ctx = {
  hub: 'ns/h',
  endpoint: 'db:5432',
  table: 'public.tenants',
  database: 'app',
  connectTimeoutMs: 5000,
  queryTimeoutMs: 30000,
};
const err = (code: string | undefined, message: string) =>
  Object.assign(new Error(message), { code });

describe('pgError', () => {
  it.each([
    [err('28P01', 'password authentication failed for user "x"'), 'AUTH_FAILED'],
    [err('3D000', 'database "app" does not exist'), 'UNKNOWN_DATABASE'],
    [err('42P01', 'relation "public.tenants" does not exist'), 'UNKNOWN_TABLE'],
    [err('3F000', 'schema "s" does not exist'), 'UNKNOWN_TABLE'],
    [err('42703', 'column "plan" does not exist'), 'UNKNOWN_COLUMN'],
    [err('57014', 'canceling statement due to statement timeout'), 'TIMEOUT'],
    [err('57014', 'canceling statement due to user request'), 'QUERY_FAILED'],
    [err('57P01', 'terminating connection due to administrator command'), 'CONNECTION_LOST'],
    [err('08006', 'connection failure'), 'CONNECTION_LOST'],
    [err(undefined, 'Connection terminated unexpectedly'), 'CONNECTION_LOST'],
    [err('ECONNREFUSED', 'connect ECONNREFUSED'), 'CONNECT_FAILED'],
    [err(undefined, 'Connection terminated due to connection timeout'), 'TIMEOUT'],
    [err(undefined, 'The server does not support SSL connections'), 'TLS_FAILED'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS_FAILED'],
    [err('22P02', 'invalid input syntax'), 'QUERY_FAILED'],
  ])('maps %s', (cause, code) => {
    const e = pgError(cause, ctx);
    expect(e.code).toBe(code);
    expect(e.hub).toBe('ns/h');
    expect(e.cause).toBe(cause);
  });
});
