/** Entry point: `node dist/main.js` (config from ./config.ini or CONFIG_FILE, env overrides). */
import { createLogger, formatFromEnv, loadConfigOrExit } from '@tp0/common';
import { loadConfig } from './config.js';
import { startServer } from './server.js';

/** A shutdown that takes longer than this is cut short (exit 1) rather than hanging the container stop. */
const SHUTDOWN_DEADLINE_MS = 8000;

const config = loadConfigOrExit(() => loadConfig());

const log = createLogger({ name: 'server', level: config.loggingLevel, format: formatFromEnv() });
log.debug('config', 'success', {
  port: config.port,
  listen_backlog: config.listenBacklog,
  logging_level: config.loggingLevel,
  agencies: config.agencies,
  bets_file: config.betsFile,
  fsync: config.fsync,
});

try {
  const server = await startServer(config, log);
  log.info('listen', 'success', { ip: config.ip || '*', port: server.port });
  const stop = (signal: NodeJS.Signals) => {
    log.info('signal', 'success', { signal });
    setTimeout(() => {
      log.error('shutdown', 'fail', { error: `not done after ${SHUTDOWN_DEADLINE_MS} ms` });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error('shutdown', 'fail', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  log.critical('listen', 'fail', { error: (err as Error).message });
  process.exit(1);
}
