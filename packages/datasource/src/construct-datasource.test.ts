import { describe, expect, it } from 'vitest';
import { resolveLimits } from './construct-datasource.js';
import { DEFAULT_RESULT_LIMITS } from './contract.js';

const defaults = { poolSize: 5, connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 };
const where = { hub: 'ns/h', type: 't' };

describe('resolveLimits', () => {
  it('overrides the defaults and rejects a limit that is not a positive integer', () => {
    expect(resolveLimits(defaults, { poolSize: 2 }, where)).toEqual({
      ...DEFAULT_RESULT_LIMITS,
      ...defaults,
      poolSize: 2,
    });
    expect(() => resolveLimits(defaults, { queryTimeoutMs: 0.5 }, where)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        hub: 'ns/h',
        type: 't',
        message: 'datasource limit queryTimeoutMs must be a positive integer, got 0.5',
      }),
    );
  });

  it('adds the result-size limits, which the operator may change', () => {
    const limits = resolveLimits(defaults, { maxRows: 10, maxResultBytes: undefined }, where);
    expect(limits).toMatchObject({ maxRows: 10, maxResultBytes: 64 * 1024 * 1024 });
  });

  it('says when a limit is a string that looks like a number', () => {
    expect(() => resolveLimits(defaults, { poolSize: '5' as unknown as number }, where)).toThrow(
      'datasource limit poolSize must be a positive integer, got "5" (a string)',
    );
    expect(() => resolveLimits(defaults, { maxRows: 0 }, where)).toThrow(
      'datasource limit maxRows must be a positive integer, got 0',
    );
  });
});
