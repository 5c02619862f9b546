import { spawn, type ChildProcess } from 'node:child_process';
import { errorMessage } from './errors.js';
import { ExecCredentialError, type CredentialSource } from './kubeconfig-error.js';

/** The ExecCredential versions kubectl still speaks (v1alpha1 was removed in Kubernetes 1.24). */
export const EXEC_API_VERSIONS: ReadonlySet<string> = new Set([
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]);

/** A user's `exec` section, validated, with a relative command already resolved. */
export interface ExecPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  readonly installHint: string | undefined;
  /** `spec.cluster` of KUBERNETES_EXEC_INFO, when the kubeconfig sets provideClusterInfo. */
  readonly cluster: Readonly<Record<string, unknown>> | undefined;
}

/** What a plugin printed in `status`. */
export interface ExecCredential {
  readonly token: string | undefined;
  readonly clientCertificateData: string | undefined;
  readonly clientKeyData: string | undefined;
  /** Milliseconds since the epoch; undefined when the plugin gave no expirationTimestamp. */
  readonly expiresAt: number | undefined;
}

const MAX_STDOUT_BYTES = 1 << 20;
const MAX_STDERR_CHARS = 4096;

/**
 * Runs an exec credential plugin and caches its answer until its expirationTimestamp. An answer
 * without one is not cached (as in client-node): the plugin runs again on the next
 * applyToHTTPSOptions, which RestClient calls once a minute and after a 401. Concurrent callers
 * share one run.
 *
 * The plugin gets the process environment (cloud plugins need PATH, HOME, AWS_*, ... exactly as
 * kubectl passes them), the kubeconfig's `env` and KUBERNETES_EXEC_INFO; nothing else: no stdin
 * (an operator has no terminal: never interactive), no shell, its stdout and stderr captured
 * (bounded) rather than mixed into the operator's log, and killed after the timeout.
 */
export class ExecCredentialSource {
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;

  constructor(
    private readonly plugin: ExecPlugin,
    private readonly source: CredentialSource,
    private readonly user: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
    private readonly timeoutMs: number,
  ) {}

  credential(): Promise<ExecCredential> {
    const cached = this.cached;
    if (cached?.expiresAt !== undefined && cached.expiresAt > Date.now()) {
      return Promise.resolve(cached);
    }
    this.running ??= this.run()
      .then((credential) => {
        this.cached = credential;
        return credential;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private fail(detail: string, stderr = '', cause?: unknown): ExecCredentialError {
    const text = stderr.trim();
    return new ExecCredentialError(
      this.source,
      this.user,
      this.plugin.command,
      text === '' ? detail : `${detail}: ${text}`,
      text,
      cause === undefined ? undefined : { cause },
    );
  }

  private run(): Promise<ExecCredential> {
    const { plugin } = this;
    const env: NodeJS.ProcessEnv = { ...this.baseEnv };
    for (const { name, value } of plugin.env) env[name] = value;
    env['KUBERNETES_EXEC_INFO'] = JSON.stringify({
      apiVersion: plugin.apiVersion,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(plugin.cluster !== undefined ? { cluster: plugin.cluster } : {}),
      },
    });
    return new Promise<ExecCredential>((resolve, reject) => {
      let settled = false;
      let child: ChildProcess;
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      const settle = (outcome: () => ExecCredential) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          resolve(outcome());
        } catch (err) {
          reject(err);
        }
      };
      const abandon = (detail: string) => {
        if (settled) return;
        child.kill('SIGKILL');
        settle(() => {
          throw this.fail(detail, stderr);
        });
      };
      // Settled without waiting for 'close': a grandchild may hold the pipes open.
      const timer = setTimeout(
        () => abandon(`no answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      try {
        child = spawn(plugin.command, [...plugin.args], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (err) {
        settle(() => {
          throw this.fail(`cannot start: ${errorMessage(err)}`, '', err);
        });
        return;
      }
      child.stdout?.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > MAX_STDOUT_BYTES) abandon(`printed more than ${MAX_STDOUT_BYTES} bytes`);
        else stdout.push(chunk);
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        if (stderr.length < MAX_STDERR_CHARS) stderr = (stderr + chunk).slice(0, MAX_STDERR_CHARS);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'ENOENT' && plugin.installHint ? `\n${plugin.installHint}` : '';
        settle(() => {
          throw this.fail(`cannot start: ${err.code ?? err.message}${hint}`, '', err);
        });
      });
      child.on('close', (code, signal) =>
        settle(() => {
          if (signal !== null) throw this.fail(`killed by ${signal}`, stderr);
          if (code !== 0) throw this.fail(`exited with code ${code}`, stderr);
          return this.parse(Buffer.concat(stdout).toString('utf8'));
        }),
      );
    });
  }

  /** Checks the ExecCredential as client-go does: right kind and version, a token or a cert/key pair. */
  private parse(stdout: string): ExecCredential {
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch (err) {
      throw this.fail(`printed no JSON ExecCredential (${errorMessage(err)})`);
    }
    if (!isMapping(value)) throw this.fail('printed no JSON ExecCredential object');
    if (value['kind'] !== 'ExecCredential') {
      throw this.fail(`printed kind ${String(value['kind'])}, not ExecCredential`);
    }
    if (value['apiVersion'] !== this.plugin.apiVersion) {
      throw this.fail(
        `printed apiVersion ${String(value['apiVersion'])}; the kubeconfig asks for ${this.plugin.apiVersion}`,
      );
    }
    const status = value['status'];
    if (!isMapping(status)) throw this.fail('printed an ExecCredential without status');
    const text = (key: string): string | undefined => {
      const v = status[key];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw this.fail(`printed a status.${key} that is not a string`);
      return v;
    };
    const token = text('token');
    const clientCertificateData = text('clientCertificateData');
    const clientKeyData = text('clientKeyData');
    if (token === undefined && clientCertificateData === undefined && clientKeyData === undefined) {
      throw this.fail(
        'printed neither status.token nor status.clientCertificateData/clientKeyData',
      );
    }
    if ((clientCertificateData === undefined) !== (clientKeyData === undefined)) {
      throw this.fail('printed only one of status.clientCertificateData and status.clientKeyData');
    }
    if (token !== undefined && unsafeInHeader(token)) {
      throw this.fail('printed a status.token with a line break or control character');
    }
    const expiration = text('expirationTimestamp');
    const expiresAt = expiration === undefined ? undefined : Date.parse(expiration);
    if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
      throw this.fail(`printed a status.expirationTimestamp that is not a time: ${expiration}`);
    }
    return { token, clientCertificateData, clientKeyData, expiresAt };
  }
}

/** True when `value` has a character Node refuses in a header (it would throw on sending). */
export function unsafeInHeader(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
