/** The server's start-up and shutdown around `startServer`, run by main.ts once signals are caught. */
import { createLogger, formatFromEnv, loadConfigOrExit } from '@tp0/common';
import type { EarlySignals } from '@tp0/common/early-signals';
import { loadConfig } from './config.js';
import { startServer } from './server.js';
import { BetRowError } from './storage/bets.js';

/** A shutdown that takes longer than this is cut short (exit 1) rather than hanging the container stop. */
const SHUTDOWN_DEADLINE_MS = 8000;

export async function start(signals: EarlySignals): Promise<void> {
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
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      log.info('signal', 'success', { signal });
      if (stopping) return;
      stopping = true;
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
    // A signal that came during start-up is handled now: the server started, so it shuts down the normal way.
    signals.handle(stop);
  } catch (err) {
    // Stored data that is not a bet: refuse to start and leave the file as it is, for the operator to look at.
    if (err instanceof BetRowError) log.critical('recuperar_estado', 'fail', { file: err.path, row: err.row, error: err.reason });
    else log.critical('listen', 'fail', { error: (err as Error).message });
    process.exit(1);
  }
}
