import { createLogger, formatFromEnv, loadConfigOrExit } from '@tp0/common';
import { runClient } from './client.js';
import { loadConfig } from './config.js';

const config = loadConfigOrExit(() => loadConfig());

const log = createLogger({ name: 'client', level: config.logLevel, format: formatFromEnv() });
const controller = new AbortController();
const onSignal = (name: NodeJS.Signals) => {
  log.info('signal', 'success', { signal: name });
  controller.abort();
};
process.once('SIGTERM', onSignal);
process.once('SIGINT', onSignal);

runClient(config, log, controller.signal).then(
  code => {
    process.exitCode = code;
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  },
  (error: unknown) => {
    log.critical('client', 'fail', { error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  },
);
