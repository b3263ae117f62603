import { ConfigError, createLogger, formatFromEnv } from '@tp0/common';
import { runClient } from './client.js';
import { loadConfig, type ClientConfig } from './config.js';

let config: ClientConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

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
