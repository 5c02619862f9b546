import { abortedError } from './errors.js';

/**
 * Settles with `work`, or rejects with the ABORTED DatasourceError as soon as `signal` fires. On
 * abort, `onAbort` runs (destroy the connection, cancel the query) and a later rejection of
 * `work` is expected and observed here, so it cannot surface as an unhandled rejection.
 */
export function abortable<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
  init: { hub?: string; type?: string } = {},
): Promise<T> {
  if (signal.aborted) {
    onAbort();
    work.catch(() => undefined); // the caller already gets ABORTED; this outcome is moot
    return Promise.reject(abortedError(signal, init));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(abortedError(signal, init));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err as Error);
      },
    );
  });
}
