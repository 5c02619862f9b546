import { describe, expect, it } from 'vitest';
import { OptionError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('has the documented defaults', () => {
    expect(parseOptions([])).toMatchObject({
      rows: 220,
      resources: 5,
      idleSeconds: 120,
      skipRaw: false,
      skipLatency: false,
      keep: false,
      concurrency: 32,
      changes: 20,
      phaseTimeoutMs: 15 * 60_000,
    });
  });

  it('gives big runs more time per phase unless told otherwise', () => {
    expect(parseOptions(['--rows', '2200'])).toMatchObject({ phaseTimeoutMs: 2200_000 });
    expect(parseOptions(['--rows', '2200', '--phase-timeout-minutes', '5'])).toMatchObject({
      phaseTimeoutMs: 300_000,
    });
  });

  it('reads both spellings, repeated operator flags and split Node.js options', () => {
    const o = parseOptions([
      '--rows',
      '2200',
      '--resources=3',
      '--operator-arg=--node-concurrency=20',
      '--operator-arg',
      '--log-level=debug',
      '--node-options',
      '--cpu-prof  --cpu-prof-dir=/tmp/prof',
      '--skip-raw',
      '--node-defaults',
      '--json',
      '/tmp/out.json',
    ]);
    expect(o).toMatchObject({
      rows: 2200,
      resources: 3,
      operatorArgs: ['--node-concurrency=20', '--log-level=debug'],
      nodeOptions: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'],
      skipRaw: true,
      nodeDefaults: true,
      json: '/tmp/out.json',
    });
  });

  it('rejects what it cannot honour with a message naming the flag', () => {
    expect(() => parseOptions(['--resources', '1'])).toThrow(
      /--resources must be an integer from 2 to 5/,
    );
    expect(() => parseOptions(['--rows', 'many'])).toThrow(OptionError);
    expect(() => parseOptions(['--rows'])).toThrow(/--rows needs a value/);
    expect(() => parseOptions(['--keep=yes'])).toThrow(/takes no value/);
    expect(() => parseOptions(['--fast'])).toThrow(/unknown argument --fast/);
    expect(parseOptions(['--help'])).toBe('help');
  });
});
