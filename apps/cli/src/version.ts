// The package's version, read from its package.json at run time (src/ and dist/ both sit one
// level below it), so the binary says what was published.
import { readFileSync } from 'node:fs';

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name?: string;
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
