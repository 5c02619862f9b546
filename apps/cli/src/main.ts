#!/usr/bin/env node
// The published `lynq` binary: paths on the command line are relative to the current directory.
import { runCli } from './cli.js';
import { runMain } from './run-main.js';

await runMain(runCli);
