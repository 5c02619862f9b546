// The Go applied-hash oracle (packages/apply/hash-oracle/main.go), built once per source and Go version in the
// cache outside the repository, as @lynq/render builds its text/template oracle.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

const ORACLE_DIR = join(repoRoot(), 'packages', 'apply', 'hash-oracle');

export interface OracleResult {
  /** The Go operator's lynq.sh/applied-hash of the document. */
  hash?: string;
  /** The text Go hashed (json.Marshal of the sanitised object). */
  json?: string;
  error?: string;
}

let built: string | undefined;

/** The oracle's path, building it first when the cache lacks it (needs Go; a minute cold). */
export function oracleBinary(): string {
  if (built !== undefined) return built;
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(ORACLE_DIR, f)));
  hash.update(execFileSync('go', ['version']));
  const cache = process.env['LYNQ_CACHE_DIR'] ?? join(homedir(), '.cache', 'lynq');
  const dir = join(cache, 'apply-hash-oracle', hash.digest('hex').slice(0, 16));
  const bin = join(dir, 'hash-oracle');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    // Built under a temporary name and renamed, so a concurrent run never executes half a file.
    const partial = `${bin}.${process.pid}.partial`;
    execFileSync('nice', ['-n', '10', 'go', 'build', '-o', partial, '.'], {
      cwd: ORACLE_DIR,
      stdio: 'inherit',
    });
    renameSync(partial, bin);
  }
  built = bin;
  return bin;
}

/** Go's results for JSON documents (one object each), in order. */
export function goHashes(documents: readonly string[]): OracleResult[] {
  const input = documents.map((d) => `${d}\n`).join('');
  const out = execFileSync(oracleBinary(), { input }).toString('utf8');
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as OracleResult);
}

/** The Go operator's applied-hash of one object. */
export function goAppliedHash(obj: unknown): string {
  const [result] = goHashes([JSON.stringify(obj)]);
  if (result?.hash === undefined) throw new Error(`hash-oracle: ${result?.error ?? 'no answer'}`);
  return result.hash;
}
