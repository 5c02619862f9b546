import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestkitError, errorMessage } from './errors.js';

/** File names of the PKI a local cluster uses; everything lives in one directory. */
export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export function pkiFiles(dir: string): Pki {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new TestkitError('CERT_FAILED', `openssl ${args[0] ?? ''} failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed CA (EC P-256) at `pki.caKey` / `pki.caCert`, able to sign leaves. */
function selfSignedCa(pki: Pki, subject: string, days: number, cwd: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-new',
      ...ecKey,
      '-keyout',
      pki.caKey,
      '-out',
      pki.caCert,
      '-days',
      String(days),
      '-sha256',
      '-subj',
      subject,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ],
    cwd,
  );
}

function signLeaf(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  pki: Pki,
): void {
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions.join('\n')}\n`);
  openssl(
    ['req', '-new', ...ecKey, '-keyout', join(dir, `${name}.key`), '-out', csr, '-subj', subject],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      pki.caCert,
      '-CAkey',
      pki.caKey,
      '-CAcreateserial',
      '-days',
      '3650',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      join(dir, `${name}.crt`),
    ],
    dir,
  );
}

/**
 * Creates (once) a CA, an API server serving certificate for 127.0.0.1/localhost, an admin client
 * certificate in group system:masters and the service-account signing key pair.
 * Existing files are kept, so restarts of the API server reuse the same identity.
 */
export function ensurePki(dir: string): Pki {
  const pki = pkiFiles(dir);
  if (Object.values(pki).every((file) => existsSync(file))) return pki;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  selfSignedCa(pki, '/CN=lynq-testkit-ca', 3650, dir);
  signLeaf(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ],
    pki,
  );
  signLeaf(
    dir,
    'admin',
    '/O=system:masters/CN=lynq-testkit-admin',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ],
    pki,
  );
  openssl(
    [
      'genpkey',
      '-algorithm',
      'RSA',
      '-pkeyopt',
      'rsa_keygen_bits:2048',
      '-out',
      pki.serviceAccountKey,
    ],
    dir,
  );
  openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub], dir);
  return pki;
}

/** A serving certificate and the fresh CA that signed it (see servingCertificate). */
export interface ServingCertificate {
  /** PEM of the CA: what a webhook configuration's caBundle holds (base64 of it). */
  caPem: string;
  /** `<dir>/<certName>` and `<dir>/<keyName>`. */
  certFile: string;
  keyFile: string;
}

/**
 * Writes a serving certificate for `hosts` (IP addresses and DNS names) to `<dir>/tls.crt` and
 * `<dir>/tls.key` (or the names given), signed by a CA made for it and valid for two days. Each
 * call makes a new CA, as a rotation to a new issuer would; the CA's key is deleted after signing.
 */
export function servingCertificate(
  dir: string,
  options: { hosts?: readonly string[]; certName?: string; keyName?: string } = {},
): ServingCertificate {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(tmpdir(), 'lynq-serving-'));
  try {
    const pki = { ...pkiFiles(work) };
    selfSignedCa(pki, `/CN=lynq-test-serving-ca-${Date.now()}`, 2, work);
    const san = hosts.map((h) => (isIP(h) !== 0 ? `IP:${h}` : `DNS:${h}`)).join(',');
    signLeaf(
      work,
      'serving',
      `/CN=${hosts[0] ?? 'localhost'}`,
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
      ],
      pki,
    );
    const certFile = join(dir, options.certName ?? 'tls.crt');
    const keyFile = join(dir, options.keyName ?? 'tls.key');
    // Key first, then the certificate: a watcher sees at most one mismatched moment.
    writeFileSync(keyFile, readFileSync(join(work, 'serving.key')), { mode: 0o600 });
    writeFileSync(certFile, readFileSync(join(work, 'serving.crt')));
    return { caPem: readFileSync(pki.caCert, 'utf8'), certFile, keyFile };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** An admin kubeconfig with every credential embedded, so it can be copied anywhere. */
export function renderKubeconfig(server: string, pki: Pki): string {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: lynq-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    '- name: lynq-admin',
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    'contexts:',
    '- name: lynq-local',
    '  context:',
    '    cluster: lynq-local',
    '    user: lynq-admin',
    '    namespace: default',
    'current-context: lynq-local',
    '',
  ].join('\n');
}
