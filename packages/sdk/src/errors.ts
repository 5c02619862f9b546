/** Machine-readable codes of the errors @lynq/sdk throws itself (API and validation errors keep their own types). */
export type SdkErrorCode = 'NODE_NOT_READY' | 'INVALID_OBJECT' | 'INVALID_ARGUMENT';

/** Base class of every error this package defines. */
export class SdkError extends Error {
  readonly code: SdkErrorCode;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument a caller passed cannot be used (an empty name, a negative timeout). */
export class InvalidArgumentError extends SdkError {
  constructor(
    readonly argument: string,
    detail: string,
  ) {
    super('INVALID_ARGUMENT', `${argument}: ${detail}`);
  }
}

/**
 * A LynqNode did not become Ready in time. `reason` and `message` say why, from the node's Ready
 * condition when it has one (`ResourcesFailed`, `NotAllResourcesReady`, ...), otherwise
 * `NotFound` (no such node), `NoReadyCondition` (the operator has not reported yet) or
 * `StaleStatus` (the status is for an older generation).
 */
export class NodeNotReadyError extends SdkError {
  constructor(
    readonly namespace: string,
    readonly nodeName: string,
    readonly timeoutMs: number,
    readonly reason: string,
    readonly detail: string,
    /** The node's Ready condition as last seen, when it had one. */
    readonly condition?: {
      type: string;
      status: string;
      reason: string;
      message: string;
    },
    /**
     * The node's latest Warning events, newest first (`ApplyFailed: …`): where the operator says
     * which resource failed and why, which the Ready condition only counts.
     */
    readonly warnings: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(
      'NODE_NOT_READY',
      `LynqNode ${namespace}/${nodeName} not Ready after ${timeoutMs} ms: ${reason}${detail ? `: ${detail}` : ''}${warnings.length > 0 ? ` (last warning: ${warnings[0]})` : ''}`,
      options,
    );
  }
}
