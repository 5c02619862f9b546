import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const testdata = import.meta.dirname;

/** Lynq's samples (testdata/go) and the seed examples (testdata/seed-*), as YAML text. */
export function lynqObjects(): { file: string; text: string }[] {
  const go = readdirSync(join(testdata, 'go')).map((f) => `go/${f}`);
  const seeds = readdirSync(testdata).filter((f) => f.startsWith('seed-'));
  return [...go, ...seeds].sort().map((file) => ({
    file,
    text: readFileSync(join(testdata, file), 'utf8'),
  }));
}
