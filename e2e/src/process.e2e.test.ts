// The operator as a process (issue 12 §2, reference §9): bad flags exit 2 with a message naming
// the flag; logs are JSON lines; SIGTERM in the middle of work drains and exits 0.
import { describe, expect, it } from 'vitest';
import {
  Res,
  configMap,
  form,
  hub,
  mysqlSource,
  nodeName,
  startOperator,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'process' });

describe('the operator process', () => {
  it.each([
    ['an unknown flag', ['--no-such-flag'], 'no-such-flag'],
    ['a non-numeric concurrency', ['--hub-concurrency=many'], 'hub-concurrency'],
    [
      'a malformed bind address',
      ['--health-probe-bind-address=nowhere'],
      'health-probe-bind-address',
    ],
  ])('%s: exit code 2 and a message naming the flag', async (_what, flags, named) => {
    const op = await startOperator({
      kubeconfig: s.kubeconfig,
      name: `bad-flags-${named}`,
      rawArgs: [`--kubeconfig=${s.kubeconfig}`, `--namespace=${s.namespace}`, ...flags],
      waitUntilReady: false,
    });
    const timer = setTimeout(() => void op.kill(), 20_000);
    const exit = await op.exited.finally(() => clearTimeout(timer));
    // The message is the contract here: it must say which flag is wrong.
    expect(op.logs()).toContain(named);
    expect(exit).toEqual({ code: 2, signal: null });
    op.removeLogs();
  });

  it('logs JSON lines', async () => {
    await s.waitFor(
      (note) => {
        const lines = s.operator
          .logs()
          .split('\n')
          .filter((l) => l.trim() !== '');
        note(lines.slice(0, 5));
        return lines.length > 0;
      },
      { what: 'the operator logged something', timeoutMs: 10_000 },
    );
    const lines = s.operator
      .logs()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const notJson = lines.filter((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v !== 'object' || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
  });

  it('SIGTERM while reconciling: drains and exits 0', async () => {
    await s.db.insert(
      s.table,
      Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, active: '1', plan: 'x', region: 'y' })),
    );
    await s.create(hub({ name: 'h', namespace: s.namespace, source: mysqlSource(s.table) }));
    await s.create(
      form({
        name: 'f',
        namespace: s.namespace,
        hubId: 'h',
        configMaps: [configMap('c', { x: '1' })],
      }),
    );
    // Stop while the nodes are still being worked on, not after everything settled.
    await s.object(Res.Node, nodeName('s0', 'f'));
    const started = Date.now();
    const exit = await s.operator.stop('SIGTERM', 30_000);
    const tookMs = Date.now() - started;
    expect(exit).toEqual({ code: 0, signal: null });
    console.info(`SIGTERM → exit 0 in ${tookMs} ms`);
  });
});
