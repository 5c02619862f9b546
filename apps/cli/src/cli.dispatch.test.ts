import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from './test-io.js';

describe('lynq', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await run(['--version']);
    expect(r).toEqual({ status: 0, stdout: pkg.version, stderr: '' });
  });

  it('documents the commands and exit codes in --help', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['validate', 'plan', 'diff', 'status', 'render'])
      expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toContain('Exit status: 0 ok, 1 findings or failures');
    expect((await run(['help', 'plan'])).stdout).toMatch(/^Usage: lynq plan/);
  });

  it('puts usage errors on stderr with status 2', async () => {
    for (const argv of [
      [],
      ['nope'],
      ['status', '--bogus'],
      ['diff'],
      ['plan', '--cluster', '--nodes', 'x'],
    ]) {
      const r = await run(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout, argv.join(' ')).toBe('');
      expect(r.stderr.length, argv.join(' ')).toBeGreaterThan(0);
    }
  });

  it('reads standard input only once', async () => {
    const r = await run(['validate', '-', '-'], 'kind: LynqHub\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('standard input (-) can be read only once');
  });
});
