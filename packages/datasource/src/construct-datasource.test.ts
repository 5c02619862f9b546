import { describe, expect, it } from 'vitest';
import { resolveLimits } from './construct-datasource.js';

const defaults = { poolSize: 5, connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 };

describe('resolveLimits', () => {
  it('overrides the defaults and rejects a limit that is not a positive integer', () => {
    expect(resolveLimits(defaults, { poolSize: 2 }, { hub: 'ns/h', type: 't' })).toEqual({
      ...defaults,
      poolSize: 2,
    });
    expect(() =>
      resolveLimits(defaults, { queryTimeoutMs: 0.5 }, { hub: 'ns/h', type: 't' }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        hub: 'ns/h',
        type: 't',
        message: 'datasource limit queryTimeoutMs must be a positive integer, got 0.5',
      }),
    );
  });
});
