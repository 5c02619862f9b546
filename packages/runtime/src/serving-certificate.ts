// The certificate an HTTPS endpoint serves: read from a directory (a mounted Secret, cert-manager)
// and reloaded when the files change, like controller-runtime's certwatcher; or, with no
// directory, a self-signed one made in memory at start, like controller-runtime's metrics server.
import {
  X509Certificate,
  createPrivateKey,
  generateKeyPair,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { errorMessage } from './errors.js';
import { silentLogger, type Logger } from './logger.js';

/** A certificate (chain) and its private key, PEM-encoded. */
export interface PemPair {
  cert: string;
  key: string;
}

/** Where a certificate and its key are: `<dir>/<certName>` and `<dir>/<keyName>`. */
export interface CertificateFiles {
  dir: string;
  /** Default `tls.crt`. */
  certName?: string;
  /** Default `tls.key`. */
  keyName?: string;
}

/** A certificate that cannot be used; `file` names what was read (empty when generated). */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  readonly code = 'CERTIFICATE_INVALID';
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface SelfSignedOptions {
  /** Subject and issuer common name. */
  commonName: string;
  /** Subject alternative names: host names and IP addresses. Default localhost, 127.0.0.1, ::1. */
  hosts?: readonly string[];
  /** Default 365 days. */
  validityMs?: number;
  /** Default now. */
  now?: Date;
}

const DAY_MS = 86_400_000;
const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A self-signed serving certificate: RSA 2048 and SHA-256 (what controller-runtime's self-signed
 * metrics certificate uses), key usage digitalSignature + keyEncipherment, extended key usage
 * serverAuth, not a CA, valid from an hour ago (clock skew) for `validityMs`. node-forge encodes the
 * certificate; the key pair and the signature come from node:crypto (OpenSSL, off the event loop
 * for the key).
 */
export async function selfSignedCertificate(options: SelfSignedOptions): Promise<PemPair> {
  const { default: forge } = await import('node-forge');
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const now = options.now ?? new Date();
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  // A positive 128-bit serial (RFC 5280: at most 20 octets, positive).
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 3_600_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.validityMs ?? 365 * DAY_MS));
  const name = [{ name: 'commonName', value: options.commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (isIP(h) !== 0 ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.signatureOid = forge.pki.oids['sha256WithRSAEncryption'] as string;
  cert.siginfo.algorithmOid = cert.signatureOid;
  // getTBSCertificate is public in node-forge's x509 module but missing from its type definitions.
  const pki = forge.pki as unknown as {
    getTBSCertificate(c: typeof cert): ReturnType<typeof forge.asn1.create>;
  };
  const tbs = pki.getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  (cert as unknown as { tbsCertificate: unknown }).tbsCertificate = tbs;
  cert.signature = sign('sha256', tbsDer, privateKey).toString('binary');
  return {
    cert: forge.pki.certificateToPem(cert),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** What the log says of a certificate: subject, SANs, expiry, SHA-256 fingerprint (never the key). */
export function describeCertificate(pem: string): Record<string, string> {
  const x = new X509Certificate(pem);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    ...(x.subjectAltName !== undefined ? { subjectAltName: x.subjectAltName } : {}),
    notAfter: new Date(x.validTo).toISOString(),
    fingerprint256: x.fingerprint256,
  };
}

/** Checks that `pair` is a usable serving certificate: parses, key matches, TLS accepts it. */
export function checkPemPair(pair: PemPair, files: { cert: string; key: string }): void {
  let x: X509Certificate;
  try {
    x = new X509Certificate(pair.cert);
  } catch (err) {
    throw new CertificateError(
      files.cert,
      `${files.cert}: not a PEM certificate (${errorMessage(err)})`,
      {
        cause: err,
      },
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.key);
  } catch (err) {
    throw new CertificateError(
      files.key,
      `${files.key}: not a PEM private key (${errorMessage(err)})`,
      {
        cause: err,
      },
    );
  }
  if (!x.checkPrivateKey(key))
    throw new CertificateError(
      files.key,
      `${files.key} is not the private key of the certificate in ${files.cert}`,
    );
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new CertificateError(files.cert, `${files.cert}: TLS refuses it (${errorMessage(err)})`, {
      cause: err,
    });
  }
}

export interface ServingCertificateOptions {
  logger?: Logger;
  /** Files are also re-read this often, in case a change event was missed. Default 10 s. */
  pollMs?: number;
}

type Listener = (pair: PemPair) => void;

/**
 * The current certificate of a server; `onChange` listeners get each new one (pass it to
 * `server.setSecureContext`). From files: re-read on a change in the directory (a Secret's volume
 * swaps a `..data` symlink; cert-manager rewrites files) and every `pollMs`; a half-written or
 * mismatched pair is logged and the previous certificate kept. Self-signed: renewed a week
 * before it expires.
 */
export class ServingCertificate {
  private listeners: Listener[] = [];
  private watcher: FSWatcher | undefined;
  private timers: NodeJS.Timeout[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private lastError = '';
  private sameErrors = 0;
  private reloading: Promise<void> | undefined;
  /** The files changed while a reload was reading them: read them once more after it. */
  private reloadAgain = false;
  private closed = false;

  private constructor(
    private current: PemPair,
    /** `files` or `self-signed`. */
    readonly origin: 'files' | 'self-signed',
    private readonly logger: Logger,
  ) {}

  /** Reads `<dir>/<certName>` and `<dir>/<keyName>`; throws CertificateError naming the file. */
  static async fromFiles(
    files: CertificateFiles,
    options: ServingCertificateOptions = {},
  ): Promise<ServingCertificate> {
    const paths = {
      cert: join(files.dir, files.certName ?? 'tls.crt'),
      key: join(files.dir, files.keyName ?? 'tls.key'),
    };
    const pair = await readPair(paths);
    checkPemPair(pair, paths);
    const logger = options.logger ?? silentLogger;
    const sc = new ServingCertificate(pair, 'files', logger);
    sc.watchFiles(files.dir, paths, options.pollMs ?? 10_000);
    return sc;
  }

  /** A self-signed certificate made now (see selfSignedCertificate). */
  static async selfSigned(
    options: SelfSignedOptions,
    serving: ServingCertificateOptions = {},
  ): Promise<ServingCertificate> {
    const pair = await selfSignedCertificate(options);
    const sc = new ServingCertificate(pair, 'self-signed', serving.logger ?? silentLogger);
    const renew = setInterval(() => {
      const notAfter = Date.parse(new X509Certificate(sc.current.cert).validTo);
      if (notAfter - Date.now() > 7 * DAY_MS) return;
      selfSignedCertificate({ ...options, now: new Date() }).then(
        (next) => sc.replace(next),
        (err: unknown) =>
          sc.logger.log('error', 'cannot renew the self-signed certificate', {
            error: errorMessage(err),
          }),
      );
    }, 3_600_000);
    renew.unref();
    sc.timers.push(renew);
    return sc;
  }

  get pair(): PemPair {
    return this.current;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Stops watching. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.debounce);
  }

  private replace(pair: PemPair): void {
    if (this.closed) return;
    this.current = pair;
    this.logger.log('info', 'serving certificate changed', {
      origin: this.origin,
      ...describeCertificate(pair.cert),
    });
    for (const l of this.listeners) l(pair);
  }

  private watchFiles(dir: string, paths: { cert: string; key: string }, pollMs: number): void {
    const reload = () => {
      if (this.reloading !== undefined) {
        // What the running reload read may be from before this change (a half-swapped pair).
        this.reloadAgain = true;
        return;
      }
      this.reloading = this.reload(paths).finally(() => {
        this.reloading = undefined;
        if (this.reloadAgain && !this.closed) {
          this.reloadAgain = false;
          reload();
        }
      });
    };
    try {
      this.watcher = watch(dir, { persistent: false }, () => {
        // Both files change in one update: read once they have settled.
        clearTimeout(this.debounce);
        this.debounce = setTimeout(reload, 100);
        this.debounce.unref();
      });
      this.watcher.on('error', (err) =>
        this.logger.log('warn', 'certificate directory watch failed; polling only', {
          dir,
          error: errorMessage(err),
        }),
      );
    } catch (err) {
      this.logger.log('warn', 'cannot watch the certificate directory; polling only', {
        dir,
        error: errorMessage(err),
      });
    }
    const poll = setInterval(reload, pollMs);
    poll.unref();
    this.timers.push(poll);
  }

  private async reload(paths: { cert: string; key: string }): Promise<void> {
    let pair: PemPair;
    try {
      pair = await readPair(paths);
      if (pair.cert === this.current.cert && pair.key === this.current.key) return;
      checkPemPair(pair, paths);
    } catch (err) {
      // A pair caught between its two writes fails once; the same failure on the next read is
      // worth a warning, said once, not at every poll. The previous certificate stays.
      const message = errorMessage(err);
      this.sameErrors = message === this.lastError ? this.sameErrors + 1 : 1;
      this.lastError = message;
      if (this.sameErrors <= 2)
        this.logger.log(
          this.sameErrors === 1 ? 'debug' : 'warn',
          'serving certificate not reloaded; keeping the previous one',
          { error: message },
        );
      return;
    }
    this.lastError = '';
    this.sameErrors = 0;
    this.replace(pair);
  }
}

async function readPair(paths: { cert: string; key: string }): Promise<PemPair> {
  const read = async (file: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new CertificateError(file, `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
    }
  };
  // One after the other, so that the error names the same file every time.
  const cert = await read(paths.cert);
  return { cert, key: await read(paths.key) };
}
