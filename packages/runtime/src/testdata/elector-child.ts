// A leader elector in its own process, for the leader election test: prints one JSON line per
// transition on stdout and keeps renewing until it is killed.
import { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../leader-elector.js';
import { silentLogger } from '../logger.js';
import { RestClient } from '../rest-client.js';

const [kubeconfig, namespace, name, identity] = process.argv.slice(2);
if (
  kubeconfig === undefined ||
  namespace === undefined ||
  name === undefined ||
  identity === undefined
) {
  process.stderr.write('usage: elector-child <kubeconfig> <namespace> <lease> <identity>\n');
  process.exit(2);
}
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const elector = new LeaderElector({
  client: new RestClient(kc),
  namespace,
  name,
  identity,
  logger: silentLogger,
  onStartedLeading: () =>
    process.stdout.write(`${JSON.stringify({ event: 'started', identity })}\n`),
  onStoppedLeading: () =>
    process.stdout.write(`${JSON.stringify({ event: 'stopped', identity })}\n`),
});
elector.start();
process.stdout.write(`${JSON.stringify({ event: 'running', identity })}\n`);
