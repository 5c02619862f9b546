// The README's builder and preview examples are code users copy: run them as written (in a child
// process, as a user's program would) and check that they print what their comments say.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const [build, errors, preview, change] = blocks;

// Inside the package, so that `@lynq/sdk/...` resolve; ignored by git, removed afterwards.
const dir = fileURLToPath(new URL('../.readme-example/', import.meta.url));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, code: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}.ts`;
  writeFileSync(file, code);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@lynq/source', '--import', createRequire(import.meta.url).resolve('tsx'), file],
    { timeout: 60_000, env },
  );
  return stdout;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The comment lines of a block: what the line before prints. */
function expectedOutput(code: string): string[] {
  return [...code.matchAll(/^\s*\/\/ (.*)$/gm)].map((m) => squash(m[1]!));
}

describe('README examples', () => {
  it('has the blocks this test runs', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(build).toContain('toYaml');
    expect(preview).toContain('previewForm');
    expect(change).toContain('previewChange');
  });

  it('builds, prints YAML and previews as the comments say', async () => {
    const stdout = await run('build-and-preview', `${build}\n${preview}\n${change}`);
    expect(stdout).toContain('kind: LynqForm');
    const expected = [...expectedOutput(preview!), ...expectedOutput(change!)];
    expect(expected.length).toBeGreaterThan(3);
    for (const line of expected) expect(squash(stdout)).toContain(line);
  });

  it('reports the invalid form’s field paths as the comment says', async () => {
    const stdout = await run('errors', errors!);
    const expected = expectedOutput(errors!);
    expect(expected).toHaveLength(1);
    expect(squash(stdout)).toBe(expected[0]);
  });
});
