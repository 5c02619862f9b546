import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile } from './binaries.js';
import { ensurePki, renderKubeconfig, servingCertificate } from './certs.js';
import {
  COMPONENTS,
  FAKE_NODE_COUNT,
  FAKE_NODE_PODS,
  componentArgs,
  fakeNode,
  nodeCapacityPatch,
  outdated,
  type ClusterState,
} from './cluster.js';
import { TestkitError } from './errors.js';
import { uniqueName } from './names.js';
import { clusterPaths } from './paths.js';
import { freePorts, listensOn } from './proc.js';

const dir = mkdtempSync(join(tmpdir(), 'lynq-testkit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('profiles and names', () => {
  it('parses profiles and rejects unknown ones with a typed error', () => {
    expect(parseProfile(undefined)).toBe('api');
    expect(parseProfile('full')).toBe('full');
    expect(() => parseProfile('tiny')).toThrow(TestkitError);
  });

  it('makes unique DNS- and SQL-safe names', () => {
    const a = uniqueName('lynq-test');
    expect(a).toMatch(/^lynq-test-[a-z0-9]+$/);
    expect(uniqueName('lynq_t', '_')).toMatch(/^lynq_t_[a-z0-9]+$/);
    expect(uniqueName('lynq-test')).not.toBe(a);
  });
});

describe('certificates', () => {
  const pki = ensurePki(join(dir, 'pki'));
  const text = (file: string) =>
    execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });

  it('serves 127.0.0.1 and localhost', () => {
    const serving = text(pki.servingCert);
    expect(serving).toContain('IP Address:127.0.0.1');
    expect(serving).toContain('DNS:localhost');
    expect(serving).toContain('TLS Web Server Authentication');
  });

  it('gives the admin client certificate group system:masters', () => {
    const admin = text(pki.adminCert);
    expect(admin).toMatch(/Subject: O\s*=\s*system:masters, CN\s*=\s*lynq-testkit-admin/);
    expect(admin).toContain('TLS Web Client Authentication');
  });

  it('makes a serving certificate signed by a new CA each time (webhook tests)', () => {
    const first = servingCertificate(join(dir, 'serving'), { hosts: ['127.0.0.1', 'webhook.svc'] });
    const serving = text(first.certFile);
    expect(serving).toContain('IP Address:127.0.0.1, DNS:webhook.svc');
    expect(serving).toContain('TLS Web Server Authentication');
    const ca = join(dir, 'serving-ca.crt');
    writeFileSync(ca, first.caPem);
    const verify = (cert: string) =>
      execFileSync('openssl', ['verify', '-CAfile', ca, cert], { encoding: 'utf8' });
    expect(verify(first.certFile)).toContain(': OK');
    const second = servingCertificate(join(dir, 'serving'));
    expect(second.caPem).not.toBe(first.caPem);
    expect(() => verify(second.certFile)).toThrow();
  });

  it('is reused, not regenerated', () => {
    const again = ensurePki(join(dir, 'pki'));
    expect(text(again.caCert)).toBe(text(pki.caCert));
  });

  it('embeds every credential in the kubeconfig', () => {
    const kubeconfig = renderKubeconfig('https://127.0.0.1:6443', pki);
    expect(kubeconfig).toContain('server: https://127.0.0.1:6443');
    expect(kubeconfig).toMatch(/client-certificate-data: [A-Za-z0-9+/=]+/);
    expect(kubeconfig).not.toContain(dir);
  });
});

describe('component command lines', () => {
  const paths = clusterPaths(join(dir, 'cluster'));
  const state: ClusterState = {
    version: 1,
    profile: 'full',
    owner: 'test-run',
    server: 'https://127.0.0.1:1001',
    ports: {
      etcdClient: 1002,
      etcdPeer: 1003,
      apiserver: 1001,
      controllerManager: 1004,
      scheduler: 1005,
      kwok: 1006,
    },
    binaries: {
      etcd: '/b/etcd',
      kubeApiserver: '/b/kube-apiserver',
      kubeControllerManager: '/b/kcm',
      kubeScheduler: '/b/sched',
      kwok: '/b/kwok',
      kwokStages: '/b/stages.yaml',
      source: 'build',
    },
    startedAt: '2026-01-01T00:00:00Z',
  };
  const pki = ensurePki(join(dir, 'pki'));

  it('binds every component to loopback only', () => {
    for (const component of COMPONENTS) {
      const args = componentArgs(component, state, paths, pki);
      const addresses = args.filter((a) => /(bind-address|listen-.*-urls|server-address)=/.test(a));
      expect(addresses.length, component).toBeGreaterThan(0);
      for (const a of addresses) expect(a, component).toContain('127.0.0.1');
    }
  });

  it('runs the controllers Deployments, Jobs and garbage collection need', () => {
    const controllers = componentArgs('kube-controller-manager', state, paths, pki).find((a) =>
      a.startsWith('--controllers='),
    );
    for (const c of [
      'garbage-collector-controller',
      'deployment-controller',
      'replicaset-controller',
      'job-controller',
    ]) {
      expect(controllers).toContain(c);
    }
  });

  const flag = (component: (typeof COMPONENTS)[number], name: string) => {
    const arg = componentArgs(component, state, paths, pki).find((a) => a.startsWith(`--${name}=`));
    return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
  };

  it('lets the scheduler bind and the controllers sync far faster than client-go defaults', () => {
    // Scheduler default 50 qps: at most ~50 pods bound per second.
    expect(flag('kube-scheduler', 'kube-api-qps')).toBeGreaterThanOrEqual(200);
    expect(flag('kube-scheduler', 'kube-api-burst')).toBeGreaterThanOrEqual(400);
    expect(flag('kube-controller-manager', 'kube-api-qps')).toBeGreaterThanOrEqual(200);
    expect(flag('kube-controller-manager', 'concurrent-deployment-syncs')).toBeGreaterThan(5);
    expect(flag('kube-controller-manager', 'concurrent-replicaset-syncs')).toBeGreaterThan(5);
  });

  it('knows when a running component was started with other flags or another binary', () => {
    const args = componentArgs('kube-scheduler', state, paths, pki);
    const record = { pid: 1, exe: '/b/sched', args, log: '/dev/null' };
    expect(outdated(record, 'kube-scheduler', state, paths, pki)).toBe(false);
    const older = args.filter((a) => !a.startsWith('--kube-api-'));
    expect(outdated({ ...record, args: older }, 'kube-scheduler', state, paths, pki)).toBe(true);
    expect(outdated({ ...record, exe: '/old/sched' }, 'kube-scheduler', state, paths, pki)).toBe(
      true,
    );
  });
});

describe('fake node capacity', () => {
  it('holds at least 10,000 pods over all fake nodes', () => {
    const node = fakeNode('kwok-node-0');
    expect(node.status?.capacity?.['pods']).toBe(String(FAKE_NODE_PODS));
    expect(node.status?.allocatable?.['pods']).toBe(String(FAKE_NODE_PODS));
    expect(FAKE_NODE_COUNT * FAKE_NODE_PODS).toBeGreaterThanOrEqual(10_000);
    expect(nodeCapacityPatch(node)).toBeUndefined();
  });

  it('raises the pods of a node made by an older testkit, and only the pods', () => {
    const node = fakeNode('kwok-node-1');
    node.status = {
      ...node.status,
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
    };
    expect(nodeCapacityPatch(node)).toEqual([
      { op: 'add', path: '/status/capacity/pods', value: String(FAKE_NODE_PODS) },
      { op: 'add', path: '/status/allocatable/pods', value: String(FAKE_NODE_PODS) },
    ]);
  });

  it('never lowers a larger capacity and reads quantity suffixes', () => {
    const node = fakeNode('kwok-node-2');
    node.status = {
      ...node.status,
      capacity: { pods: '1M' },
      allocatable: { pods: `${FAKE_NODE_PODS + 1}` },
    };
    expect(nodeCapacityPatch(node)).toBeUndefined();
    node.status.allocatable = { pods: '3k' };
    expect(nodeCapacityPatch(node)).toEqual([
      { op: 'add', path: '/status/allocatable/pods', value: String(FAKE_NODE_PODS) },
    ]);
  });

  it('fills in a missing capacity map and a node without status', () => {
    const node = fakeNode('kwok-node-0');
    delete node.status?.allocatable;
    expect(nodeCapacityPatch(node)).toEqual([
      { op: 'add', path: '/status/allocatable', value: fakeNode('x').status?.allocatable },
    ]);
    delete node.status;
    expect(nodeCapacityPatch(node)?.map((o) => o.path)).toEqual([
      '/status',
      '/status/capacity',
      '/status/allocatable',
    ]);
  });
});

describe('free ports', () => {
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  const ephemeralFrom = existsSync(range) ? Number(readFileSync(range, 'utf8').split(/\s+/)[0]) : 0;

  // Where the range starts too low to leave room below it, the kernel picks (not tested here).
  it.skipIf(ephemeralFrom < 21_000)(
    "come from below the kernel's range for outgoing connections, distinct and bindable",
    async () => {
      const ports = await freePorts(20);
      expect(new Set(ports).size).toBe(20);
      for (const port of ports) {
        expect(port).toBeLessThan(ephemeralFrom);
        await new Promise<void>((resolve, reject) => {
          const server = createServer().on('error', reject);
          server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
        });
      }
    },
  );

  it.skipIf(!existsSync('/proc/net/tcp'))(
    'tell whether a process holds the listener on a port',
    async () => {
      const [mine, nobodys] = (await freePorts(2)) as [number, number];
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(mine, '127.0.0.1', resolve));
      try {
        expect(listensOn(process.pid, mine)).toBe(true);
        // Nothing listens there: nothing to tell.
        expect(listensOn(process.pid, nobodys)).toBeUndefined();
        // Another process (PID 1) holds no listener on the port this process listens on.
        expect(listensOn(1, mine)).not.toBe(true);
      } finally {
        server.close();
      }
    },
  );
});
