import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile } from './binaries.js';
import { ensurePki, renderKubeconfig } from './certs.js';
import { COMPONENTS, componentArgs, type ClusterState } from './cluster.js';
import { TestkitError } from './errors.js';
import { uniqueName } from './names.js';
import { clusterPaths } from './paths.js';

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
});
