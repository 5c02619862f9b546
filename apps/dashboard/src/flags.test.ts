import { describe, expect, it } from 'vitest';
import { FlagError, HelpRequested, parseFlags } from './flags.js';

const KINDS = ['ConfigMap', 'Secret', 'Deployment'];

describe('flags', () => {
  it('defaults to loopback:8080, all namespaces', () => {
    expect(parseFlags([], {})).toMatchObject({ host: '127.0.0.1', port: 8080, logLevel: 'info' });
    expect(parseFlags([], { LYNQ_DASHBOARD_ADDR: '0.0.0.0:9090' })).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
    });
  });

  it('reads every flag, with = or a separate value', () => {
    const c = parseFlags(
      [
        '--addr=:8081',
        '--kubeconfig',
        '/k',
        '--context=c',
        '--namespace',
        'ns',
        '--orphan-kinds',
        'ConfigMap, Deployment',
        '--log-level=debug',
      ],
      {},
      KINDS,
    );
    expect(c).toEqual({
      host: '0.0.0.0',
      port: 8081,
      kubeconfig: '/k',
      context: 'c',
      namespace: 'ns',
      orphanKinds: ['ConfigMap', 'Deployment'],
      logLevel: 'debug',
    });
  });

  it('names the flag and the problem', () => {
    expect(() => parseFlags(['--addr', 'nope'], {})).toThrow(
      new FlagError('--addr', '"nope" is not host:port'),
    );
    expect(() => parseFlags(['--orphan-kinds', 'Pod'], {}, KINDS)).toThrow(
      /--orphan-kinds: unknown kind Pod/,
    );
    expect(() => parseFlags(['--log-level', 'loud'], {})).toThrow(/--log-level/);
    expect(() => parseFlags(['--namespace'], {})).toThrow(/--namespace: needs a value/);
    expect(() => parseFlags(['--bogus'], {})).toThrow(/--bogus: unknown flag/);
    expect(() => parseFlags(['-h'], {})).toThrow(HelpRequested);
  });
});
