import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below `dir` (at any depth), as paths relative to it, sorted: what a package holds. */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}
