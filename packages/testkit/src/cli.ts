// `npm run cluster -- up|down|status|env [--profile api|full]`: manages the local control plane.
import { parseProfile, type Profile } from './binaries.js';
import { down, status, up } from './cluster.js';
import { TestkitError, errorMessage } from './errors.js';
import { clusterPaths } from './paths.js';

const usage = 'usage: npm run cluster -- up|down|status|env [--profile api|full]';

function parseArgs(argv: string[]): { command: string; profile: Profile } {
  let command = '';
  let profile: Profile = parseProfile(process.env['LYNQ_TEST_PROFILE']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--profile' || arg === '-p') {
      profile = parseProfile(argv[++i]);
    } else if (arg.startsWith('--profile=')) {
      profile = parseProfile(arg.slice('--profile='.length));
    } else if (arg === '-h' || arg === '--help') {
      command = 'help';
    } else if (command === '') {
      command = arg;
    } else {
      throw new TestkitError('BAD_ARGS', `unexpected argument "${arg}"\n${usage}`);
    }
  }
  return { command, profile };
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

async function main(argv: string[]): Promise<number> {
  const { command, profile } = parseArgs(argv);
  const external = process.env['LYNQ_TEST_KUBECONFIG'];
  if (external !== undefined && external !== '' && command !== 'help') {
    if (command === 'env') {
      console.log(`KUBECONFIG=${external}`);
      return 0;
    }
    console.error(
      `LYNQ_TEST_KUBECONFIG is set (${external}): tests use that cluster, nothing to ${command}`,
    );
    return 0;
  }
  switch (command) {
    case 'up': {
      const result = await up({ profile, owner: 'cli' });
      const verb = result.started ? 'started' : 'already running, reused';
      console.error(
        `cluster ${verb} (profile ${result.state.profile}) in ${(result.ms / 1000).toFixed(1)} s: ${result.state.server}`,
      );
      console.log(`KUBECONFIG=${result.kubeconfig}`);
      return 0;
    }
    case 'down': {
      const stopped = await down();
      console.error(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'status': {
      const s = await status();
      if (s.state === undefined) {
        console.log('not running');
        return 3;
      }
      console.log(
        `profile:    ${s.state.profile} (owner ${s.state.owner}, started ${s.state.startedAt})`,
      );
      console.log(`server:     ${s.state.server} (${s.ready ? 'ready' : 'NOT ready'})`);
      console.log(`kubeconfig: ${s.kubeconfig}`);
      console.log(`binaries:   ${s.state.binaries.source} ${s.state.binaries.kubeApiserver}`);
      for (const c of s.components) {
        if (c.pid === undefined) continue;
        const state = c.running
          ? `running  pid ${c.pid}  rss ${mib(c.rssKiB)}`
          : `DEAD (pid ${c.pid})`;
        console.log(`  ${c.component.padEnd(24)} ${state}  log ${c.log}`);
      }
      console.log(`total rss:  ${mib(s.totalRssKiB)}`);
      return s.ready ? 0 : 1;
    }
    case 'env':
      console.log(`KUBECONFIG=${clusterPaths().kubeconfig}`);
      return 0;
    case 'help':
      console.log(usage);
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = err instanceof TestkitError ? ` [${err.code}]` : '';
    console.error(`cluster: ${errorMessage(err)}${code}`);
    process.exit(1);
  },
);
