import type { FetchResult } from './contract.js';
import { DatasourceError, isDatasourceError, throwIfAborted } from './errors.js';
import type { HealthTracker } from './health-tracker.js';
import { combineSignals } from './signals.js';

export interface FetchRunnerOptions {
  /** Hub as `namespace/name`. */
  hub: string;
  /** Datasource type (`mysql`, `postgresql`). */
  type: string;
  /** The server's name in CLOSED messages (`MySQL`, `PostgreSQL`). */
  server: string;
  /** Records the outcome of every fetch that was not aborted. */
  health: HealthTracker;
  /** Turns anything the query threw that is not yet a DatasourceError into one. */
  toError: (err: unknown) => DatasourceError;
  /**
   * Called after AUTH_FAILED, SECRET_UNAVAILABLE or TLS_FAILED: drop the connection pool so the
   * next fetch builds it again from the Secrets and picks up a rotated password or CA.
   */
  dropConnections: () => void;
}

const RECONNECT_CODES: ReadonlySet<string> = new Set([
  'AUTH_FAILED',
  'SECRET_UNAVAILABLE',
  'TLS_FAILED',
]);

/**
 * Runs a SQL driver's fetches with the rules every driver shares: no fetch after close, close()
 * aborts the fetches in flight (and they report CLOSED, not the driver error the closed pool
 * caused), health follows each outcome except ABORTED, and credential or TLS failures drop the
 * pool.
 */
export class FetchRunner {
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: FetchRunnerOptions) {}

  async run(
    signal: AbortSignal,
    query: (signal: AbortSignal) => Promise<FetchResult>,
  ): Promise<FetchResult> {
    const { hub, type, server, health } = this.options;
    const init = { hub, type };
    if (this.closed) {
      throw new DatasourceError({
        code: 'CLOSED',
        message: `the ${server} datasource is closed`,
        ...init,
      });
    }
    throwIfAborted(signal, init);
    const closer = new AbortController();
    this.inFlight.add(closer);
    // Not AbortSignal.any: on Node 20 it retains each derived signal on the caller's signal,
    // which the operator keeps for its whole life.
    const combined = combineSignals([signal, closer.signal]);
    try {
      const result = await query(combined.signal);
      health.succeeded();
      return result;
    } catch (err) {
      if (this.closed && !signal.aborted) {
        // close() ended the pool under this fetch; say so instead of a confusing driver error.
        throw new DatasourceError({
          code: 'CLOSED',
          message: `the ${server} datasource was closed during the fetch`,
          ...init,
          cause: err,
        });
      }
      const error = isDatasourceError(err) ? err : this.options.toError(err);
      if (error.code !== 'ABORTED') health.failed(error);
      if (RECONNECT_CODES.has(error.code)) this.options.dropConnections();
      throw error;
    } finally {
      combined.dispose();
      this.inFlight.delete(closer);
    }
  }

  /** Refuses later fetches and aborts the ones in flight. */
  close(): void {
    this.closed = true;
    for (const fetch of this.inFlight) fetch.abort(new Error('datasource closed'));
  }
}
