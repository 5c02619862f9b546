import { afterEach, describe, expect, it } from 'vitest';
import { runProgram, stopSignal, type ProgramSpec } from './program.js';

class Help extends Error {}
class BadFlag extends Error {}

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    output: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
    },
  };
}

function spec(
  parse: () => string,
  run: (c: string) => Promise<number> = () => Promise.resolve(0),
): ProgramSpec<string> {
  return {
    name: 'lynq-x',
    usage: 'Usage: lynq-x\n',
    parseFlags: parse,
    helpRequested: Help,
    flagError: BadFlag,
    run,
  };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('runProgram', () => {
  it('runs with the parsed configuration and exits with its code', async () => {
    const { output } = capture();
    let seen = '';
    const code = await runProgram(
      spec(
        () => 'config',
        (c) => {
          seen = c;
          return Promise.resolve(3);
        },
      ),
      output,
    );
    expect([code, seen, process.exitCode]).toEqual([3, 'config', 3]);
  });

  it('prints the usage to stdout for --help and exits 0', async () => {
    const { out, output } = capture();
    const code = await runProgram(
      spec(() => {
        throw new Help();
      }),
      output,
    );
    expect(code).toBe(0);
    expect(out).toEqual({ stdout: 'Usage: lynq-x\n', stderr: '' });
  });

  it('prints a bad flag with the usage to stderr and exits 2', async () => {
    const { out, output } = capture();
    const code = await runProgram(
      spec(() => {
        throw new BadFlag('--port: not a number');
      }),
      output,
    );
    expect(code).toBe(2);
    expect(out.stderr).toBe('lynq-x: --port: not a number\n\nUsage: lynq-x\n');
  });

  it('prints an unhandled failure with its stack and exits 1, from parsing or running', async () => {
    const { out, output } = capture();
    expect(
      await runProgram(
        spec(() => {
          throw new Error('parser bug');
        }),
        output,
      ),
    ).toBe(1);
    expect(out.stderr).toMatch(/^lynq-x: Error: parser bug\n\s+at /);
    const second = capture();
    const failing = spec(
      () => 'c',
      () => Promise.reject(new Error('lost')),
    );
    expect(await runProgram(failing, second.output)).toBe(1);
    expect(second.out.stderr).toMatch(/^lynq-x: Error: lost\n/);
    expect(process.exitCode).toBe(1);
  });
});

describe('stopSignal', () => {
  it('resolves with the first SIGTERM or SIGINT and removes both listeners', async () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    const stopped = stopSignal();
    process.emit('SIGINT', 'SIGINT');
    expect(await stopped).toBe('SIGINT');
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });
});
