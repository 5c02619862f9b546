// A host process that leaves without closing its RenderHost, in the way argv[2] names: `exit`
// (process.exit), `idle` (its event loop runs dry), `busy` (process.exit while a render spins),
// `throw` (an uncaught error). It prints the render processes' pids as its last line.
import { startRenderHostForTests } from '../render-host.js';

const how = process.argv[2];
const host = await startRenderHostForTests({
  processes: 2,
  minProcesses: 2,
  renderTimeoutMs: 60_000,
});
const form = {
  spec: {
    configMaps: [
      {
        id: 'c',
        nameTemplate: '{{ .uid }}',
        spec: { apiVersion: 'v1', kind: 'ConfigMap' },
      },
    ],
  },
};
const rendered = await host.renderNodes(form as never, [
  { namespace: 'n', variables: { uid: 'a' } },
]);
if (!rendered[0]!.ok) throw rendered[0]!.error;
console.log(JSON.stringify(host.stats().processes.map((p) => p.pid)));
if (how === 'exit') process.exit(0);
if (how === 'busy') {
  void host.renderNodes(form as never, [
    { namespace: 'n', variables: { uid: 'b', 'lynq-test-hook': 'spin' } },
  ]);
  setTimeout(() => process.exit(0), 300);
}
if (how === 'throw')
  setTimeout(() => {
    throw new Error('the host process fails');
  }, 10);
// `idle`: nothing left to do; the idle render processes must not keep this process alive.
