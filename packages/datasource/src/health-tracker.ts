import type { DatasourceHealth } from './contract.js';
import { isDatasourceError } from './errors.js';

/**
 * Keeps a datasource's health from the outcome of its fetches and of its watch connection.
 * Error messages recorded here are the DatasourceError messages, which carry no secrets.
 */
export class HealthTracker {
  private health: DatasourceHealth = { state: 'unknown', consecutiveFailures: 0 };

  constructor(private readonly now: () => Date = () => new Date()) {}

  succeeded(): void {
    const { watch, watchError } = this.health;
    this.health = { state: 'ok', lastSuccessAt: this.now().toISOString(), consecutiveFailures: 0 };
    if (watch !== undefined) this.health.watch = watch;
    if (watchError !== undefined) this.health.watchError = watchError;
  }

  failed(err: unknown): void {
    this.health = {
      ...this.health,
      state: 'failing',
      lastError: { ...describe(err), at: this.now().toISOString() },
      consecutiveFailures: this.health.consecutiveFailures + 1,
    };
  }

  /** The watch state; `listening` and `stopped` clear the last watch error. */
  setWatch(state: NonNullable<DatasourceHealth['watch']>): void {
    const { watchError, ...rest } = this.health;
    this.health =
      state === 'reconnecting' && watchError !== undefined
        ? { ...rest, watch: state, watchError }
        : { ...rest, watch: state };
  }

  /**
   * The watch connection failed (could not connect, LISTEN refused, connection lost) and will be
   * retried: state `reconnecting` with the error, counting failures in a row. Pass a
   * DatasourceError, whose message is secret-free.
   */
  watchFailed(err: unknown): void {
    const previous = this.health.watchError?.consecutiveFailures ?? 0;
    this.health = {
      ...this.health,
      watch: 'reconnecting',
      watchError: {
        ...describe(err),
        at: this.now().toISOString(),
        consecutiveFailures: previous + 1,
      },
    };
  }

  /** A copy callers may keep. */
  snapshot(): DatasourceHealth {
    return structuredClone(this.health);
  }
}

function describe(err: unknown): { code: string; message: string } {
  return {
    code: isDatasourceError(err) ? err.code : 'QUERY_FAILED',
    message: err instanceof Error ? err.message : String(err),
  };
}
