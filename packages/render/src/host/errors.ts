// Why a node's render through the host failed, as a value the operator can branch on.

/**
 * - `TIMEOUT`: the node's render did not finish within `renderTimeoutMs`; its process was replaced.
 * - `MEMORY`: the render process ran out of its heap (`memoryLimitMb`); it was replaced.
 * - `CRASHED`: the render process died otherwise, or answered something malformed; it was replaced.
 * - `CLOSED`: the host was closed before the node was rendered.
 * - `ABORTED`: the caller's AbortSignal fired before the node was rendered.
 * - `INVALID_INPUT`: the node or form cannot be sent to a render process (not plain data).
 */
export type RenderHostErrorCode =
  'TIMEOUT' | 'MEMORY' | 'CRASHED' | 'CLOSED' | 'ABORTED' | 'INVALID_INPUT';

export class RenderHostError extends Error {
  override readonly name = 'RenderHostError';
  constructor(
    readonly code: RenderHostErrorCode,
    message: string,
    /** Index of the node in the `renderNodes` call, when the error is about one node. */
    readonly nodeIndex?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A `RenderHost.start` option (or one of its `limits`) that is out of range; `option` names it
 * as the options object spells it, so that a caller can point at its own flag or field.
 */
export class RenderHostOptionError extends RangeError {
  override readonly name = 'RenderHostOptionError';
  constructor(
    readonly option: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`RenderHost option ${option} ${problem}`, options);
  }
}
