// The README's example of @lynq/render/host is code users copy: run it as they would.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildForTests } from './testdata/build.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Isolated rendering'));
const example = /```ts\n([\s\S]*?)```/.exec(section)![1]!;

beforeAll(() => buildForTests());

function plainTextEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
}

describe('README: Isolated rendering', () => {
  it('runs the example and prints what it says', async () => {
    // Inside the package, so that `@lynq/...` resolve; not in dist/, which `npm pack` ships (tsx
    // does not compile TypeScript under node_modules). Removed after the test; ignored by git.
    const dir = fileURLToPath(new URL('../../.readme-example/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = `${dir}host-example.ts`;
    writeFileSync(file, example);
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@lynq/source', '--import', tsx, file],
      // Plain text whatever the runner's terminal: nx and CI set FORCE_COLOR, which colours
      // console.log's object output.
      { timeout: 60_000, env: plainTextEnv() },
    );
    const printed = stdout.trim().split('\n');
    expect(printed).toEqual([
      "acme-config { plan: 'pro' }",
      "globex-config { plan: 'basic' }",
      '{ errors: [], warnings: [] }',
    ]);
    for (const line of printed) expect(example).toContain(`// ${line}`);
  });
});
