/** Error codes raised by the testkit; callers can switch on `code` instead of parsing messages. */
export type TestkitErrorCode =
  | 'BUILD_FAILED'
  | 'BINARY_MISSING'
  | 'CERT_FAILED'
  | 'START_FAILED'
  | 'NOT_READY'
  | 'NOT_RUNNING'
  | 'EXTERNAL_CLUSTER'
  | 'LOCK_TIMEOUT'
  | 'BAD_ARGS'
  | 'DB_FAILED';

export class TestkitError extends Error {
  override readonly name = 'TestkitError';
  readonly code: TestkitErrorCode;

  constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
