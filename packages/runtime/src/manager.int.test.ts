import { Resources } from '@lynq/api';
import { useTestNamespace } from '@lynq/testkit';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { EventRecorder } from './event-recorder.js';
import { silentLogger, type Logger } from './logger.js';
import { Manager, type StopReason } from './manager.js';
import { formatMicroTime } from './micro-time.js';
import { resourcePath, type KubeObject } from './resource.js';
import { RestClient } from './rest-client.js';
import { MIRROR_LABEL, mirrorController } from './testdata/mirror-controller.js';
import { configMap, createConfigMap, eventually, patchConfigMap } from './testdata/kube.js';

/** A logger that keeps the messages of warnings in `warnings` and drops the rest. */
function warningsInto(warnings: string[]): Logger {
  return { ...silentLogger, log: (level, msg) => void (level === 'warn' && warnings.push(msg)) };
}

const ns = useTestNamespace({ prefix: 'runtime-manager' });
const managers: Manager[] = [];
afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
});

type ConfigMap = KubeObject & { data?: Record<string, string> };

async function read(client: RestClient, name: string): Promise<ConfigMap | undefined> {
  try {
    return await client.request<ConfigMap>({
      path: resourcePath(Resources.ConfigMap, ns.name, name),
    });
  } catch {
    return undefined;
  }
}

async function http(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('Manager with a controller, leader election and endpoints', () => {
  it('reconciles owned objects, serves probes and metrics, and stops reconciling once leadership is lost', async () => {
    const client = new RestClient(ns.kubeConfig);
    const registry = new Registry();
    const manager = new Manager({
      kubeConfig: ns.kubeConfig,
      // One client for the whole process: the manager's informers and election use it.
      client,
      registry,
      logger: silentLogger,
      namespace: ns.name,
      healthPort: 0,
      healthHost: '127.0.0.1',
      leaderElection: {
        namespace: ns.name,
        name: 'mirror-leader',
        identity: 'manager-under-test',
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 500,
      },
    });
    managers.push(manager);
    let stopped: StopReason | undefined;
    void manager.done.then((r) => (stopped = r));
    mirrorController(manager);
    await manager.start();
    expect(manager.client).toBe(client);
    expect(client.stats().byMethod.GET).toBeGreaterThan(0);
    const port = manager.health?.port ?? 0;
    expect((await http(port, '/readyz')).status).toBe(200);
    expect((await http(port, '/healthz')).status).toBe(200);
    await eventually('leading', () => manager.elector?.isLeader() === true);

    await createConfigMap(
      client,
      configMap(ns.name, 'settings', { a: '1' }, { [MIRROR_LABEL]: 'true' }),
    );
    await eventually(
      'mirror created',
      async () => (await read(client, 'settings-mirror'))?.data?.['a'] === '1',
    );
    const mirror = await read(client, 'settings-mirror');
    expect(mirror?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'ConfigMap',
      name: 'settings',
      controller: true,
    });

    await patchConfigMap(client, ns.name, 'settings-mirror', { a: 'tampered' }); // owned: wakes the owner
    await eventually(
      'mirror restored',
      async () => (await read(client, 'settings-mirror'))?.data?.['a'] === '1',
    );
    await patchConfigMap(client, ns.name, 'settings', { a: '2' });
    await eventually(
      'mirror follows',
      async () => (await read(client, 'settings-mirror'))?.data?.['a'] === '2',
    );

    const metrics = (await http(port, '/metrics')).body;
    expect(metrics).toMatch(
      /controller_runtime_reconcile_total\{controller="configmap-mirror",result="success"\} [1-9]/,
    );
    expect(metrics).toContain(
      'controller_runtime_reconcile_errors_total{controller="configmap-mirror"}',
    );
    expect(metrics).toMatch(/workqueue_adds_total\{name="configmap-mirror"\} [1-9]/);
    expect(metrics).toContain('workqueue_depth{name="configmap-mirror"}');
    expect(metrics).toMatch(
      /workqueue_queue_duration_seconds_count\{name="configmap-mirror"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /workqueue_work_duration_seconds_bucket\{name="configmap-mirror",le="\+Inf"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /controller_runtime_reconcile_time_seconds_count\{controller="configmap-mirror"\} [1-9]/,
    );
    expect(metrics).toContain('workqueue_retries_total{name="configmap-mirror"}');
    expect(metrics).toContain('leader_election_master_status{name="mirror-leader"} 1');

    // Another process takes the lease (as after a network partition): this manager cannot renew,
    // gives up after its renew deadline and must not reconcile any more.
    const leasePath = resourcePath(Resources.Lease, ns.name, 'mirror-leader');
    const steal = async () => {
      const lease = await client.request<KubeObject & { spec: Record<string, unknown> }>({
        path: leasePath,
      });
      const now = formatMicroTime(Date.now());
      await client.request({
        method: 'PUT',
        path: leasePath,
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: 'thief',
            renewTime: now,
            acquireTime: now,
            leaseDurationSeconds: 60,
          },
        },
      });
    };
    await eventually('lease stolen', async () => {
      try {
        await steal();
        return true;
      } catch {
        return false; // conflict with a renewal: try again
      }
    });
    await eventually('leadership lost', () => stopped === 'leadership-lost', 15_000);
    expect(manager.elector?.isLeader()).toBe(false);
    expect((await http(port, '/healthz')).status).toBe(500);

    await createConfigMap(
      client,
      configMap(ns.name, 'after-loss', { b: '1' }, { [MIRROR_LABEL]: 'true' }),
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(await read(client, 'after-loss-mirror')).toBeUndefined();
  });
});

describe('EventRecorder against kube-apiserver', () => {
  async function eventsFor(client: RestClient, name: string) {
    const list = await client.request<{
      items: Array<
        KubeObject & { count?: number; reason?: string; message?: string; type?: string }
      >;
    }>({
      path: resourcePath(Resources.Event, ns.name),
      query: { fieldSelector: `involvedObject.name=${name}` },
    });
    return list.items;
  }

  it('aggregates repeats into one Event with a count, and rate-limits per object', async () => {
    const client = new RestClient(ns.kubeConfig);
    const subject = await createConfigMap(
      client,
      configMap(ns.name, 'evented', { secret: 'not-in-events' }),
    );
    const recorder = new EventRecorder({
      client,
      component: 'runtime-test',
      logger: silentLogger,
      burstPerObject: 5,
    });
    for (let i = 0; i < 3; i++)
      recorder.event(subject, 'Warning', 'SyncFailed', 'database unreachable');
    recorder.event(subject, 'Normal', 'Synced', 'all good');
    await recorder.flush();
    const events = await eventsFor(client, 'evented');
    const failed = events.filter((e) => e.reason === 'SyncFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.count).toBe(3);
    expect(failed[0]?.type).toBe('Warning');
    expect(failed[0]).toMatchObject({
      involvedObject: {
        kind: 'ConfigMap',
        name: 'evented',
        namespace: ns.name,
        uid: subject.metadata.uid,
      },
      source: { component: 'runtime-test' },
    });
    expect(events.filter((e) => e.reason === 'Synced')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('not-in-events');

    // Burst of 5 per object: 4 used above, so of 3 more only 1 gets through.
    for (let i = 0; i < 3; i++) recorder.event(subject, 'Normal', 'Flood', `message ${i}`);
    await recorder.flush();
    expect((await eventsFor(client, 'evented')).filter((e) => e.reason === 'Flood')).toHaveLength(
      1,
    );
  });

  it('holds events while deferWhile says so: until it ends, for maxDeferMs at most, or until flush', async () => {
    class Counting extends RestClient {
      posts = 0;
      override async request<T>(req: Parameters<RestClient['request']>[0]): Promise<T> {
        if (req.method === 'POST') this.posts++;
        return super.request<T>(req);
      }
    }
    const client = new Counting(ns.kubeConfig);
    const [a, b, c] = await Promise.all(
      ['held-a', 'held-b', 'held-c'].map((n) => createConfigMap(client, configMap(ns.name, n, {}))),
    );
    const clock = new FakeClock(Date.now());
    let busy = true;
    const recorder = new EventRecorder({
      client,
      component: 'runtime-test',
      logger: silentLogger,
      clock,
      deferWhile: () => busy,
      maxDeferMs: 10_000,
    });
    const sent = async (name: string) => (await eventsFor(client, name)).length === 1;
    client.posts = 0;

    // Busy: nothing goes out however long the promise chain runs, until busy ends.
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    recorder.event(a!, 'Normal', 'Held', 'until the backlog is gone');
    await settle();
    clock.advance(5_000);
    await settle();
    expect(client.posts).toBe(0);
    busy = false;
    clock.advance(250); // the next look at deferWhile
    await eventually('the held event is sent once deferWhile ends', () => sent('held-a'));

    // Busy for longer than maxDeferMs: it goes out at maxDeferMs after it was recorded.
    busy = true;
    recorder.event(b!, 'Normal', 'Held', 'at most maxDeferMs');
    await settle();
    clock.advance(9_000);
    await settle();
    expect(await sent('held-b')).toBe(false);
    clock.advance(1_000);
    await eventually('the event is sent after maxDeferMs', () => sent('held-b'));

    // flush() does not wait for the backlog.
    recorder.event(c!, 'Normal', 'Held', 'flushed');
    await recorder.flush();
    expect(await sent('held-c')).toBe(true);
    expect(client.posts).toBe(3);
    expect(clock.pendingTimers()).toBe(0); // neither the poll nor a wait is left behind
  });

  it('sends at once while deferWhile throws, and says so once per failure, not per event', async () => {
    const client = new RestClient(ns.kubeConfig);
    const names = ['throwing-a', 'throwing-b', 'throwing-c', 'answering', 'throwing-again'];
    const [a, b, c, answering, again] = await Promise.all(
      names.map((n) => createConfigMap(client, configMap(ns.name, n, {}))),
    );
    let broken = true;
    const warnings: string[] = [];
    const recorder = new EventRecorder({
      client,
      component: 'runtime-test',
      logger: warningsInto(warnings),
      deferWhile: () => {
        if (broken) throw new Error('the backlog gauge is gone');
        return false;
      },
    });
    const sent = (name: string) => async () => (await eventsFor(client, name)).length === 1;
    try {
      for (const s of [a!, b!, c!]) recorder.event(s, 'Normal', 'Unheld', 'sent at once');
      for (const n of names.slice(0, 3)) await eventually(`event of ${n} sent`, sent(n));
      expect(warnings).toEqual(['deferWhile failed; events are not held back']);
      broken = false;
      recorder.event(answering!, 'Normal', 'Unheld', 'sent at once');
      await eventually('event of answering sent', sent('answering'));
      broken = true;
      recorder.event(again!, 'Normal', 'Unheld', 'sent at once');
      await eventually('event of throwing-again sent', sent('throwing-again'));
      expect(warnings).toHaveLength(2);
    } finally {
      await recorder.flush();
      client.close();
    }
  });

  it('sends at most maxInFlight at once, drops beyond maxQueued, and loses nothing else', async () => {
    // The real client, counting its requests in flight.
    class Counting extends RestClient {
      now = 0;
      most = 0;
      override async request<T>(req: Parameters<RestClient['request']>[0]): Promise<T> {
        this.most = Math.max(this.most, ++this.now);
        try {
          return await super.request<T>(req);
        } finally {
          this.now--;
        }
      }
    }
    const client = new Counting(ns.kubeConfig);
    const subjects = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createConfigMap(client, configMap(ns.name, `lane-${i}`, {})),
      ),
    );
    const warnings: string[] = [];
    const recorder = new EventRecorder({
      client,
      component: 'runtime-test',
      logger: warningsInto(warnings),
      maxInFlight: 2,
      maxQueued: 8,
    });
    client.most = 0;
    for (const s of subjects) recorder.event(s, 'Normal', 'Lane', 'queued behind the others');
    await recorder.flush();
    expect(client.most).toBe(2);
    // 2 sent at once, 8 waiting: the last 2 were dropped, and said so.
    expect(warnings).toHaveLength(2);
    for (const [i, s] of subjects.entries())
      expect(await eventsFor(client, s.metadata.name ?? '')).toHaveLength(i < 10 ? 1 : 0);
  });
});
