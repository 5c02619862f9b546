import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { LeaderElector } from './leader-elector.js';
import { RestClient } from './rest-client.js';

// No request is sent: these only check the option rules client-go enforces as well.
function client(): RestClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new RestClient(kc);
}

describe('LeaderElector options', () => {
  it('defaults to 15 s / 10 s / 2 s and a unique identity', () => {
    const a = new LeaderElector({ client: client(), namespace: 'ns', name: 'l' });
    const b = new LeaderElector({ client: client(), namespace: 'ns', name: 'l' });
    expect(a.identity).not.toBe(b.identity);
    expect(a.isLeader()).toBe(false);
  });

  it('rejects timings where a leader could still act after others may take over', () => {
    const base = { client: client(), namespace: 'ns', name: 'l' };
    expect(
      () => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    ).toThrow(InvalidOptionError);
    expect(
      () => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }),
    ).toThrow(/renewDeadlineMs/);
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow(/identity/);
  });
});
