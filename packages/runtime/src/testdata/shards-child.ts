// A shard elector in its own process, for the sharding test: prints one JSON line per ownership
// change on stdout and keeps renewing until it is killed (a crashed replica: no release).
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { silentLogger } from '../logger.js';
import { RestClient } from '../rest-client.js';
import { ShardElector } from '../shards-elector.js';

const [kubeconfig, namespace, name, identity, shards, timings] = process.argv.slice(2);
if (
  kubeconfig === undefined ||
  namespace === undefined ||
  name === undefined ||
  identity === undefined ||
  shards === undefined ||
  timings === undefined
) {
  process.stderr.write(
    'usage: shards-child <kubeconfig> <namespace> <name> <identity> <shards> <lease,renew,retry ms>\n',
  );
  process.exit(2);
}
const [leaseDurationMs, renewDeadlineMs, retryPeriodMs] = timings.split(',').map(Number);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const elector = new ShardElector({
  client: new RestClient(kc),
  namespace,
  name,
  identity,
  shards: Number(shards),
  leaseDurationMs,
  renewDeadlineMs,
  retryPeriodMs,
  registry: new Registry(),
  logger: silentLogger,
});
const say = (event: string, shard: number) =>
  process.stdout.write(`${JSON.stringify({ event, shard, owned: elector.owned() })}\n`);
elector.addListener({
  acquired: (shard) => void say('acquired', shard),
  released: (shard, reason) => void say(reason, shard),
});
elector.start();
process.stdout.write(`${JSON.stringify({ event: 'running', identity })}\n`);
