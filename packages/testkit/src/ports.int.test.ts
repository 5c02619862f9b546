import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentHealthy, down, up } from './cluster.js';
import { pkiFiles } from './certs.js';
import { clusterPaths, type ClusterPaths } from './paths.js';
import { freePort, freePorts } from './proc.js';

// Starts a private api cluster: it must not touch the shared one.
const local = (process.env['LYNQ_TEST_KUBECONFIG'] ?? '') === '';

/** A server on `port` that answers etcd's health check as a healthy etcd would. */
function impostor(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((_req, res) => res.end('{"health":"true","reason":""}'));
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe.skipIf(!local)(
  'up() when a chosen port is taken by a server that answers its health check',
  () => {
    let paths: ClusterPaths;
    beforeAll(() => {
      paths = clusterPaths(mkdtempSync(join(tmpdir(), 'lynq-ports-')));
    });
    afterAll(async () => {
      await down(paths);
      rmSync(paths.root, { recursive: true, force: true });
    });

    it('starts again on other ports', async () => {
      const taken = await freePort();
      const squatter = await impostor(taken);
      try {
        const choices: number[][] = [];
        const result = await up({
          profile: 'api',
          owner: 'test-run',
          paths,
          // The first choice gives etcd's client port to the impostor.
          choosePorts: async (count) => {
            const ports = await freePorts(count);
            if (choices.length === 0) ports[0] = taken;
            choices.push(ports);
            return ports;
          },
        });
        expect(choices).toHaveLength(2);
        expect(result.state.ports.etcdClient).not.toBe(taken);
        expect(await componentHealthy('kube-apiserver', result.state, pkiFiles(paths.pkiDir))).toBe(
          true,
        );
      } finally {
        squatter.close();
      }
    });
  },
);
