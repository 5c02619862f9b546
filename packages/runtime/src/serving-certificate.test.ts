import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger } from './logger.js';
import {
  CertificateError,
  ServingCertificate,
  checkPemPair,
  describeCertificate,
  selfSignedCertificate,
  type PemPair,
} from './serving-certificate.js';

const dirs: string[] = [];
const certs: ServingCertificate[] = [];
afterEach(() => {
  for (const c of certs.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lynq-cert-'));
  dirs.push(dir);
  return dir;
}

function write(dir: string, pair: PemPair, names = { cert: 'tls.crt', key: 'tls.key' }): void {
  writeFileSync(join(dir, names.cert), pair.cert);
  writeFileSync(join(dir, names.key), pair.key);
}

/** Resolves with the next pair `sc` announces; rejects after `ms`. */
function nextChange(sc: ServingCertificate, ms = 10_000): Promise<PemPair> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no certificate change within ${ms} ms`)), ms);
    sc.onChange((pair) => {
      clearTimeout(timer);
      resolve(pair);
    });
  });
}

describe('selfSignedCertificate', () => {
  it('makes a serving certificate that verifies with its own key, for the given hosts', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const pair = await selfSignedCertificate({
      commonName: 'lynq-operator',
      hosts: ['localhost', 'lynq-0', '127.0.0.1', '::1'],
      validityMs: 30 * 86_400_000,
      now,
    });
    const x = new X509Certificate(pair.cert);
    expect(x.subject).toBe('CN=lynq-operator');
    expect(x.issuer).toBe('CN=lynq-operator');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(x.subjectAltName).toBe(
      'DNS:localhost, DNS:lynq-0, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(x.validFrom).getTime()).toBe(now.getTime() - 3_600_000);
    expect(new Date(x.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(pair.key).toContain('BEGIN PRIVATE KEY');
    checkPemPair(pair, { cert: 'c', key: 'k' });
    expect(describeCertificate(pair.cert)).toMatchObject({ subject: 'CN=lynq-operator' });
  });

  it('makes a different key and serial every time', async () => {
    const [a, b] = await Promise.all([
      selfSignedCertificate({ commonName: 'x' }),
      selfSignedCertificate({ commonName: 'x' }),
    ]);
    expect(a.key).not.toBe(b.key);
    expect(new X509Certificate(a.cert).serialNumber).not.toBe(
      new X509Certificate(b.cert).serialNumber,
    );
  });
});

describe('ServingCertificate.fromFiles', () => {
  it('names the file that is missing, unreadable as PEM, or not the key of the certificate', async () => {
    const dir = tempDir();
    await expect(ServingCertificate.fromFiles({ dir })).rejects.toThrow(
      new RegExp(`cannot read ${join(dir, 'tls.crt')}`),
    );
    const a = await selfSignedCertificate({ commonName: 'a' });
    const b = await selfSignedCertificate({ commonName: 'b' });
    write(dir, { cert: a.cert, key: b.key });
    const err = await ServingCertificate.fromFiles({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificateError);
    expect((err as CertificateError).file).toBe(join(dir, 'tls.key'));
    expect((err as CertificateError).message).toContain(
      'is not the private key of the certificate',
    );
    write(dir, { cert: 'not a certificate', key: a.key });
    await expect(ServingCertificate.fromFiles({ dir })).rejects.toThrow(
      /tls.crt: not a PEM certificate/,
    );
  });

  it('reads custom file names and reloads when the files change, keeping the old pair while they mismatch', async () => {
    const dir = tempDir();
    const names = { cert: 'server.pem', key: 'server-key.pem' };
    const first = await selfSignedCertificate({ commonName: 'first' });
    write(dir, first, names);
    const lines: string[] = [];
    const sc = await ServingCertificate.fromFiles(
      { dir, certName: names.cert, keyName: names.key },
      { logger: jsonLogger({ write: (l) => lines.push(l) }), pollMs: 200 },
    );
    certs.push(sc);
    expect(sc.pair).toEqual(first);

    // A half-done update: the new certificate beside the old key. Nothing changes.
    const second = await selfSignedCertificate({ commonName: 'second' });
    writeFileSync(join(dir, names.cert), second.cert);
    await expect(nextChange(sc, 1500)).rejects.toThrow(/no certificate change/);
    expect(sc.pair).toEqual(first);
    expect(lines.join('')).toContain('serving certificate not reloaded');
    expect(lines.join('')).not.toContain('PRIVATE KEY');

    // The key follows: the new pair is served.
    const changed = nextChange(sc);
    writeFileSync(join(dir, names.key), second.key);
    expect(await changed).toEqual(second);
    expect(sc.pair).toEqual(second);
    expect(lines.join('')).toContain('"subject":"CN=second"');
  });

  it("follows a Secret volume's update: new files in a new directory, then the ..data symlink swapped", async () => {
    // How the kubelet writes a Secret volume: <dir>/tls.crt -> ..data/tls.crt, ..data -> ..<stamp>.
    const dir = tempDir();
    const stamp = (name: string, pair: PemPair) => {
      mkdirSync(join(dir, name));
      write(join(dir, name), pair);
    };
    const first = await selfSignedCertificate({ commonName: 'first' });
    stamp('..2026_01', first);
    symlinkSync('..2026_01', join(dir, '..data'));
    symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(dir, 'tls.key'));
    // Polling is off (an hour): the directory's change events alone must bring the new pair.
    const sc = await ServingCertificate.fromFiles({ dir }, { pollMs: 3_600_000 });
    certs.push(sc);
    expect(sc.pair).toEqual(first);
    for (const [i, name] of ['second', 'third', 'fourth'].entries()) {
      const next = await selfSignedCertificate({ commonName: name });
      stamp(`..2026_0${i + 2}`, next);
      const changed = nextChange(sc, 5_000);
      symlinkSync(`..2026_0${i + 2}`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      expect(await changed).toEqual(next);
    }
  });

  it('reads the files again when they change during a reload (not only at the next poll)', async () => {
    const dir = tempDir();
    const side = tempDir();
    const first = await selfSignedCertificate({ commonName: 'first' });
    const second = await selfSignedCertificate({ commonName: 'second' });
    write(dir, first);
    const sc = await ServingCertificate.fromFiles({ dir }, { pollMs: 3_600_000 });
    certs.push(sc);
    // The key becomes a FIFO: the next reload reads the certificate (first's), then waits there.
    execFileSync('mkfifo', [join(side, 'fifo')]);
    const hardLink = join(dir, 'tls.key.fifo');
    linkSync(join(side, 'fifo'), hardLink);
    renameSync(hardLink, join(dir, 'tls.key'));
    await new Promise((r) => setTimeout(r, 500));
    // Meanwhile the second pair is put in place: its change events come while the reload waits.
    writeFileSync(join(side, 'tls.crt'), second.cert);
    writeFileSync(join(side, 'tls.key'), second.key);
    renameSync(join(side, 'tls.crt'), join(dir, 'tls.crt'));
    renameSync(join(side, 'tls.key'), join(dir, 'tls.key'));
    await new Promise((r) => setTimeout(r, 500));
    // The waiting reload gets first's key: nothing changed as far as it knows.
    const changed = nextChange(sc, 5_000);
    await writeFile(join(side, 'fifo'), first.key);
    expect(await changed).toEqual(second);
  });
});
