// What executing a Go template can fail with. The interpreter itself is go/exec.ts.

/** A failure while executing a Go template, at a line:column of the template when known. */
export class GoExecError extends Error {
  override readonly name = 'GoExecError';
  constructor(
    readonly reason: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    options?: ErrorOptions,
  ) {
    super(line !== undefined ? `${line}:${column ?? 0}: ${reason}` : reason, options);
  }
}
