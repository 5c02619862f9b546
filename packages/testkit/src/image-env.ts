import { readFileSync } from 'node:fs';
import { TestkitError } from './errors.js';

/**
 * The environment the operator image sets (the `ENV` instructions of the Dockerfile's last stage),
 * so that tests and benchmarks run the operator with the same Node.js settings as the image
 * instead of a copy that could drift from it. Supports what the Dockerfile uses: `KEY=value`
 * pairs without quotes, over lines continued with a backslash.
 */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  const text = readFileSync(dockerfile, 'utf8');
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastStage = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  if (lastStage < 0)
    throw new TestkitError('BAD_ARGS', `${dockerfile}: no FROM instruction, not a Dockerfile`);
  const env: Record<string, string> = {};
  for (const line of instructions.slice(lastStage + 1)) {
    const match = /^ENV\s+(.*)$/i.exec(line);
    if (!match) continue;
    for (const pair of match[1]!.trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || /["']/.test(pair))
        throw new TestkitError(
          'BAD_ARGS',
          `${dockerfile}: ENV ${JSON.stringify(pair)} is not an unquoted KEY=value pair`,
        );
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
