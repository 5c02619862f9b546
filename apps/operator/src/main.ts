#!/usr/bin/env node
// lynq-operator: flags → operator; SIGTERM/SIGINT drain and exit 0; bad flags exit 2; a missing
// CRD or an unreachable API server exits 1 with the reason.
import { jsonLogger } from '@lynq/runtime';
import { FlagError, HelpRequested, USAGE, parseFlags, type OperatorConfig } from './flags.js';
import { startOperator } from './operator.js';

async function main(): Promise<number> {
  let config: OperatorConfig;
  try {
    config = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (err instanceof FlagError) {
      process.stderr.write(`lynq-operator: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const logger = jsonLogger({ level: config.logLevel });
  let operator;
  try {
    operator = await startOperator(config, logger);
  } catch (err) {
    logger.log('error', 'operator failed to start', {
      error: err instanceof Error ? err.message : String(err),
    });
    return 1;
  }
  const running = operator;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.log('info', 'shutting down', { signal });
    void running.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const reason = await running.done;
  await running.stop();
  if (reason === 'leadership-lost') {
    logger.log('error', 'leadership lost; exiting so that a new process competes again');
    return 1;
  }
  logger.log('info', 'stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `lynq-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
