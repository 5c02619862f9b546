import { Resources } from '@lynq/api';
import { useTestNamespace } from '@lynq/testkit';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import { Manager } from './manager.js';
import { resourceType } from './resource.js';
import { eventually } from './testdata/kube.js';

const ns = useTestNamespace({ prefix: 'runtime-readiness' });
const managers: Manager[] = [];
afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
});

const readyz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;

describe('Manager /readyz', () => {
  it('counts the informers start() waited for, not one added later that cannot sync', async () => {
    const manager = new Manager({
      kubeConfig: ns.kubeConfig,
      registry: new Registry(),
      logger: silentLogger,
      namespace: ns.name,
      healthPort: 0,
      healthHost: '127.0.0.1',
      informerDefaults: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    managers.push(manager);
    manager.informer(Resources.ConfigMap);
    await manager.start();
    const port = manager.health?.port ?? 0;
    expect(await readyz(port)).toBe(200);

    // A kind watched on demand that the API server does not serve (like one this identity may
    // not list): it never syncs and keeps retrying, and the process stays ready.
    const missing = manager.informer(resourceType('missing.example.com/v1', 'Missing', 'missings'));
    await eventually('the late informer failed a few times', () => missing.stats.errors >= 3);
    expect(missing.hasSynced()).toBe(false);
    expect(manager.hasSynced()).toBe(false);
    expect(await readyz(port)).toBe(200);
  });

  it('is not ready before the start-up informers synced', async () => {
    const manager = new Manager({
      kubeConfig: ns.kubeConfig,
      registry: new Registry(),
      logger: silentLogger,
      namespace: ns.name,
      healthPort: 0,
      healthHost: '127.0.0.1',
      informerDefaults: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    managers.push(manager);
    manager.informer(resourceType('missing.example.com/v1', 'Missing', 'missings'));
    const started = manager.start();
    await eventually('health server up', () => (manager.health?.port ?? 0) > 0);
    expect(await readyz(manager.health?.port ?? 0)).toBe(500);
    await manager.stop();
    await started;
  });
});
