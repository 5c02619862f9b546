import { Resources } from '@lynq/api';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { kubeconfigPath, useTestNamespace } from '@lynq/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderElector, type LeaseSpec } from './leader-elector.js';
import { silentLogger } from './logger.js';
import { resourcePath } from './resource.js';
import { RestClient } from './rest-client.js';
import { eventually } from './testdata/kube.js';

const ns = useTestNamespace({ prefix: 'runtime-lease' });
const electors: LeaderElector[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

async function readLease(client: RestClient, name: string): Promise<LeaseSpec> {
  const lease = await client.request<{ spec?: LeaseSpec }>({
    path: resourcePath(Resources.Lease, ns.name, name),
  });
  return lease.spec ?? {};
}

function elector(
  client: RestClient,
  name: string,
  identity: string,
  events: string[],
): LeaderElector {
  const e = new LeaderElector({
    client,
    namespace: ns.name,
    name,
    identity,
    logger: silentLogger,
    onStartedLeading: () => void events.push(`${identity} started`),
    onStoppedLeading: (reason) => void events.push(`${identity} stopped${reason ? ' (lost)' : ''}`),
  });
  electors.push(e);
  return e;
}

/** Starts an elector in a child process; resolves once it leads. */
function childElector(lease: string, identity: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./testdata/elector-child.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--conditions=@lynq/source',
      '--import',
      'tsx',
      script,
      kubeconfigPath(),
      ns.name,
      lease,
      identity,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if ((JSON.parse(line) as { event: string }).event === 'started') resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`elector child exited with ${String(code)} before leading`)),
    );
  });
}

describe('LeaderElector against kube-apiserver', () => {
  it('of two electors exactly one leads; the other takes over within 20 s after the leader is killed', async () => {
    const client = new RestClient(ns.kubeConfig);
    const lease = 'kill-test';
    const leader = await childElector(lease, 'first');
    const events: string[] = [];
    const standby = elector(client, lease, 'second', events);
    standby.start();

    // Several retry periods: the standby must keep waiting while the first one renews.
    const renewTimes = new Set<string>();
    const watchUntil = Date.now() + 7000;
    while (Date.now() < watchUntil) {
      const spec = await readLease(client, lease);
      expect(spec.holderIdentity).toBe('first');
      renewTimes.add(spec.renewTime ?? '');
      expect(standby.isLeader()).toBe(false);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(renewTimes.size).toBeGreaterThan(1); // the leader renews
    for (const t of renewTimes) expect(t).toMatch(MICRO_TIME);

    const killedAt = Date.now();
    leader.kill('SIGKILL'); // no release: the lease has to expire
    await eventually('standby took over', () => standby.isLeader(), 20_000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(20_000);
    expect(tookMs).toBeGreaterThan(5_000); // it did wait for the lease to expire

    const spec = await readLease(client, lease);
    expect(spec.holderIdentity).toBe('second');
    expect(spec.leaseDurationSeconds).toBe(15);
    expect(spec.leaseTransitions).toBe(1);
    expect(spec.acquireTime).toMatch(MICRO_TIME);
    expect(spec.renewTime).toMatch(MICRO_TIME);
    expect(events).toEqual(['second started']);
  });

  it('releases the lease on stop so that a standby takes over at once', async () => {
    const client = new RestClient(ns.kubeConfig);
    const lease = 'release-test';
    const events: string[] = [];
    const a = elector(client, lease, 'a', events);
    a.start();
    await eventually('a leads', () => a.isLeader());
    const b = elector(client, lease, 'b', events);
    b.start();
    await new Promise((r) => setTimeout(r, 3000));
    expect(b.isLeader()).toBe(false);

    await a.stop();
    const released = await readLease(client, lease);
    expect(released.holderIdentity ?? '').toBe('');
    expect(released.leaseDurationSeconds).toBe(1);
    const stoppedAt = Date.now();
    await eventually('b leads', () => b.isLeader(), 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(6_000); // one retry period, not a lease duration
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
  });
});
