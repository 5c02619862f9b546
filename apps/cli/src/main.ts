#!/usr/bin/env node
import { runCli } from './cli.js';

// Under `npm run lynq` npm runs us in the workspace directory; paths on the command line are
// relative to where the user typed the command.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const status = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
});
process.exitCode = status;
