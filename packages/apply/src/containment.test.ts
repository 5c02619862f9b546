import { describe, expect, it } from 'vitest';
import { isContainedIn } from './containment.js';

describe('isContainedIn', () => {
  it('accepts extra live fields (server defaults, other managers)', () => {
    expect(
      isContainedIn({ data: { a: '1' } }, { data: { a: '1', b: '2' }, metadata: { uid: 'u' } }),
    ).toBe(true);
  });

  it('detects a changed or missing value', () => {
    expect(isContainedIn({ data: { a: '1' } }, { data: { a: '2' } })).toBe(false);
    expect(isContainedIn({ data: { a: '1' } }, { data: {} })).toBe(false);
    expect(isContainedIn({ spec: { replicas: 2 } }, { spec: { replicas: '2' } })).toBe(false);
  });

  it('lets zero values match an absent live field (the server omits empty fields)', () => {
    expect(
      isContainedIn(
        { spec: { hostNetwork: false, args: [], sel: {}, s: '', n: 0, x: null } },
        { spec: {} },
      ),
    ).toBe(true);
    expect(isContainedIn({ spec: { hostNetwork: false } }, { spec: { hostNetwork: true } })).toBe(
      false,
    );
  });

  it('needs each desired array element in live, wherever it sits', () => {
    const live = {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'extra', port: 9 },
      ],
    };
    expect(isContainedIn({ ports: [{ name: 'http', port: 80 }] }, live)).toBe(true);
    expect(isContainedIn({ ports: [{ name: 'extra', port: 9 }] }, live)).toBe(true);
    expect(isContainedIn({ ports: [{ name: 'http', port: 81 }] }, live)).toBe(false);
    expect(isContainedIn({ ports: [{ name: 'http', port: 80 }] }, { ports: {} })).toBe(false);
  });

  it('compares null and scalars strictly', () => {
    expect(isContainedIn(null, null)).toBe(true);
    expect(isContainedIn(null, 'x')).toBe(false);
    expect(isContainedIn('a', 'a')).toBe(true);
    expect(isContainedIn({ a: { b: 1 } }, { a: 'x' })).toBe(false);
  });
});
