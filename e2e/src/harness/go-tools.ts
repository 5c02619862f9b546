import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './operator.js';

const BUILD = join(REPO_ROOT, 'tools', 'go-tools', 'build.sh');

/**
 * The path of `binary` from the Go tool set `set` (tools/go-tools/<set>/go.mod), built and cached
 * outside the repository by tools/go-tools/build.sh. The e2e `test` script builds every set
 * before vitest starts (a cold build can outlast a hook timeout); here a warm cache answers at
 * once, and a missing build is built now.
 */
export function goTool(set: string, binary: string): string {
  const dir = execFileSync('bash', [BUILD, set, '--print-dir'], { encoding: 'utf8' }).trim();
  const path = join(dir, binary);
  if (existsSync(path) && existsSync(join(dir, '..', '.complete'))) return path;
  const built = execFileSync('bash', [BUILD, set], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const result = join(built, binary);
  if (!existsSync(result))
    throw new Error(`tools/go-tools/${set} built no ${binary} (looked in ${built})`);
  return result;
}
