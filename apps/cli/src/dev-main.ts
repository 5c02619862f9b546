// Entry of `npm run lynq` in the repository: npm runs scripts in the workspace directory
// (apps/cli), so paths typed by the user are relative to INIT_CWD, where npm was started. Only
// this entry changes directory; the published binary (main.ts) keeps the real one.
import { runCli } from './cli.js';
import { runMain } from './run-main.js';

if (process.env['INIT_CWD']) process.chdir(process.env['INIT_CWD']);
await runMain(runCli);
