import { randomBytes } from 'node:crypto';

/** A short unique name usable as a Kubernetes name and an SQL identifier: `<prefix>-<time><random>`. */
export function uniqueName(prefix: string, separator: '-' | '_' = '-'): string {
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return `${prefix}${separator}${suffix}`.toLowerCase();
}
