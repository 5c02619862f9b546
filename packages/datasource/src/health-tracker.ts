import type { DatasourceHealth } from './contract.js';
import { isDatasourceError } from './errors.js';

/**
 * Keeps a datasource's health from the outcome of its fetches. Error messages recorded here are
 * the DatasourceError messages, which carry no secrets.
 */
export class HealthTracker {
  private health: DatasourceHealth = { state: 'unknown', consecutiveFailures: 0 };

  constructor(private readonly now: () => Date = () => new Date()) {}

  succeeded(): void {
    const { watch } = this.health;
    this.health = { state: 'ok', lastSuccessAt: this.now().toISOString(), consecutiveFailures: 0 };
    if (watch !== undefined) this.health.watch = watch;
  }

  failed(err: unknown): void {
    const code = isDatasourceError(err) ? err.code : 'QUERY_FAILED';
    const message = err instanceof Error ? err.message : String(err);
    this.health = {
      ...this.health,
      state: 'failing',
      lastError: { code, message, at: this.now().toISOString() },
      consecutiveFailures: this.health.consecutiveFailures + 1,
    };
  }

  setWatch(state: NonNullable<DatasourceHealth['watch']>): void {
    this.health = { ...this.health, watch: state };
  }

  /** A copy callers may keep. */
  snapshot(): DatasourceHealth {
    return structuredClone(this.health);
  }
}
