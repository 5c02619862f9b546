/** An AbortSignal that follows several others, until `dispose()` detaches it. */
export interface CombinedSignal {
  /** Aborts, with the first reason, as soon as any input signal aborts. */
  readonly signal: AbortSignal;
  /** Removes the listeners from the input signals. Call when the operation ends; idempotent. */
  dispose(): void;
}

/**
 * Combines signals like `AbortSignal.any`, but keeps nothing on the inputs once disposed. Node 20's
 * `AbortSignal.any` remembers every signal derived from an input for as long as the input lives,
 * so a long-lived caller signal passed to every fetch grows the heap by each fetch.
 */
export function combineSignals(signals: readonly AbortSignal[]): CombinedSignal {
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already !== undefined) {
    controller.abort(already.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const listeners: [AbortSignal, () => void][] = [];
  const dispose = () => {
    for (const [signal, listener] of listeners.splice(0)) {
      signal.removeEventListener('abort', listener);
    }
  };
  for (const signal of signals) {
    const listener = () => {
      dispose();
      controller.abort(signal.reason);
    };
    signal.addEventListener('abort', listener, { once: true });
    listeners.push([signal, listener]);
  }
  return { signal: controller.signal, dispose };
}
