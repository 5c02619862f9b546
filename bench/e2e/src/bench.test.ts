import { describe, expect, it } from 'vitest';
import { podsQuantity } from './bench.js';

describe('podsQuantity', () => {
  it('reads the canonical quantities the API server returns', () => {
    expect(podsQuantity('110')).toBe(110);
    expect(podsQuantity('4k')).toBe(4000);
    expect(podsQuantity('1M')).toBe(1_000_000);
  });

  it('counts what it cannot read as no room', () => {
    expect(podsQuantity(undefined)).toBe(0);
    expect(podsQuantity('4Ki')).toBe(0);
    expect(podsQuantity('')).toBe(0);
  });
});
