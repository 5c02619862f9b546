import { RuntimeError } from './errors.js';

/** Where credentials came from: a kubeconfig file, or the in-cluster service-account directory. */
export interface CredentialSource {
  /** `kubeconfig` or `in-cluster config`: the first word of every message about this source. */
  readonly kind: 'kubeconfig' | 'in-cluster config';
  /** The kubeconfig file (or the service-account directory). */
  readonly file: string;
}

/**
 * A kubeconfig (or the in-cluster service-account files) cannot be used: unreadable, not YAML, a
 * context naming an undefined cluster or user, a field of the wrong type, a certificate that is
 * not PEM. The message names the file and the entry; `field` is the path of the offending field
 * (`contexts[dev].user`, `clusters[local].certificate-authority`, `current-context`), empty when
 * the whole file is at fault.
 */
export class KubeconfigError extends RuntimeError {
  readonly file: string;

  constructor(
    source: CredentialSource,
    readonly field: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    // The runtime has no dedicated error code for this yet; the kubeconfig is the process's
    // option that is wrong.
    super('INVALID_OPTION', `${source.kind} ${source.file}: ${detail}`, options);
    this.file = source.file;
  }
}

/** An exec credential plugin failed: did not start, exited non-zero, timed out or printed nonsense. */
export class ExecCredentialError extends KubeconfigError {
  constructor(
    source: CredentialSource,
    /** The kubeconfig user whose `exec` this is. */
    readonly user: string,
    /** The command as the kubeconfig names it (a relative path resolved against the file's directory). */
    readonly command: string,
    detail: string,
    /** The plugin's standard error (truncated), when it wrote any. */
    readonly stderr = '',
    options?: { cause?: unknown },
  ) {
    super(
      source,
      `users[${user}].exec`,
      `user "${user}": exec plugin ${command}: ${detail}`,
      options,
    );
  }
}
