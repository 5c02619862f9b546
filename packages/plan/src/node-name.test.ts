import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashedNodeName,
  hubLabelValue,
  isDns1123Subdomain,
  isLabelValue,
  labelValue,
  nodeName,
  uidLabelValue,
} from './node-name.js';

describe('nodeName', () => {
  it('is Lynq’s {uid}-{formName} when that is a valid name', () => {
    expect(nodeName('acme', 'web')).toBe('acme-web');
    expect(nodeName('tenant-1.eu', 'web-app')).toBe('tenant-1.eu-web-app');
    const long = 'a'.repeat(253 - 4);
    expect(nodeName(long, 'web')).toBe(`${long}-web`);
  });

  it('sanitises upper case, other characters and length, with a hash suffix', () => {
    const name = nodeName('Acme Corp', 'web');
    expect(name).toMatch(/^acme-corp-web-[0-9a-f]{10}$/);
    expect(isDns1123Subdomain(name)).toBe(true);
    const tooLong = nodeName('a'.repeat(300), 'web');
    expect(tooLong.length).toBe(253);
    expect(isDns1123Subdomain(tooLong)).toBe(true);
  });

  it('gives uids that sanitise alike different names', () => {
    expect(nodeName('ACME', 'web')).not.toBe(nodeName('Acme', 'web'));
    expect(nodeName('ACME', 'web')).not.toBe(nodeName('acme', 'web'));
    expect(nodeName('a_b', 'web')).not.toBe(nodeName('a b', 'web'));
  });

  it('handles uids with nothing usable', () => {
    expect(nodeName('', 'web')).toMatch(/^web-[0-9a-f]{10}$/);
    expect(nodeName('日本', 'web')).toMatch(/^web-[0-9a-f]{10}$/);
    expect(nodeName('-.-', 'web')).toMatch(/^web-[0-9a-f]{10}$/);
    expect(nodeName('a..b', 'web')).toMatch(/^a\.b-web-[0-9a-f]{10}$/);
  });

  it('is stable: SHA-256 over uid NUL formName, as `printf "Acme\\0web" | sha256sum`', () => {
    expect(hashedNodeName('Acme', 'web')).toBe('acme-web-e2d3be8f09');
    expect(nodeName('Acme', 'web')).toBe('acme-web-e2d3be8f09');
  });
});

describe('labelValue', () => {
  it('keeps valid label values as they are (upper case included)', () => {
    expect(uidLabelValue('Acme_1.x')).toBe('Acme_1.x');
    expect(uidLabelValue('')).toBe('');
    expect(uidLabelValue('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it('sanitises and hashes the rest into ≤ 63 characters', () => {
    const long = uidLabelValue('a'.repeat(64));
    expect(long).toMatch(/^a{52}-[0-9a-f]{10}$/);
    expect(uidLabelValue('acme corp')).toMatch(/^acme-corp-[0-9a-f]{10}$/);
    expect(uidLabelValue('-x-')).toMatch(/^x-[0-9a-f]{10}$/);
    expect(uidLabelValue('日本')).toMatch(/^[0-9a-f]{10}$/);
    expect(hubLabelValue('h'.repeat(253))).toHaveLength(63);
  });
});

// Strings that stress sanitising: upper case, separators, unicode, lone surrogates.
const uid = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', 'B', '-', '.', '_', ' ', '/', 'é', '0'), maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const formName = fc
  .stringMatching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
  .filter((s) => s.length <= 63);

describe('properties', () => {
  it('node names are always valid', () => {
    fc.assert(fc.property(uid, formName, (u, f) => isDns1123Subdomain(nodeName(u, f))));
  });

  it('label values are always valid', () => {
    fc.assert(fc.property(uid, (u) => isLabelValue(uidLabelValue(u))));
  });

  it('two different uids never share a node name or label value', () => {
    fc.assert(
      fc.property(uid, uid, formName, (a, b, f) => {
        fc.pre(a !== b);
        return nodeName(a, f) !== nodeName(b, f) && uidLabelValue(a) !== uidLabelValue(b);
      }),
    );
  });

  it('valid names and label values are unchanged (Go compatibility)', () => {
    const valid = fc.stringMatching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    fc.assert(
      fc.property(valid, formName, (u, f) => {
        fc.pre(`${u}-${f}`.length <= 253);
        return nodeName(u, f) === `${u}-${f}`;
      }),
    );
    const labels = fc.stringMatching(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
    fc.assert(
      fc.property(labels, (v) => {
        fc.pre(v.length <= 63);
        return labelValue(v) === v;
      }),
    );
  });

  it('hashed names of different (uid, form) pairs differ', () => {
    fc.assert(
      fc.property(uid, formName, uid, formName, (a, f, b, g) => {
        fc.pre(a !== b || f !== g);
        return hashedNodeName(a, f) !== hashedNodeName(b, g);
      }),
    );
  });
});
