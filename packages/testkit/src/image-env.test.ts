import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageEnvironment } from './image-env.js';
import { repoRoot } from './paths.js';

const dir = mkdtempSync(join(tmpdir(), 'image-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dockerfile(text: string): string {
  const path = join(dir, `Dockerfile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  return path;
}

describe('imageEnvironment', () => {
  it('reads the ENV of the last stage only, across continued lines', () => {
    const path = dockerfile(
      [
        'FROM node AS build',
        'ENV BUILD_ONLY=1',
        'FROM runtime',
        '# a comment',
        'ENV A=1 \\',
        '    B=--x=2',
        'ENV C=three',
        'ENTRYPOINT ["node"]',
      ].join('\n'),
    );
    expect(imageEnvironment(path)).toEqual({ A: '1', B: '--x=2', C: 'three' });
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(() => imageEnvironment(dockerfile('FROM x\nENV A="quoted value"\n'))).toThrow(
      /not an unquoted KEY=value pair/,
    );
    expect(() => imageEnvironment(dockerfile('ENV A=1\n'))).toThrow(/no FROM instruction/);
  });

  it("reads the project's own Dockerfile", () => {
    const env = imageEnvironment(join(repoRoot(), 'Dockerfile'));
    expect(env['NODE_ENV']).toBe('production');
    expect(env['NODE_OPTIONS']).toMatch(/--max-semi-space-size=\d+/);
  });
});
