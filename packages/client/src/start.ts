/** The client's run, with signals and exit code, started by main.ts once signals are caught. */
import { createLogger, formatFromEnv, loadConfigOrExit } from '@tp0/common';
import type { EarlySignals } from '@tp0/common/early-signals';
import { runClient } from './client.js';
import { loadConfig } from './config.js';

export function start(signals: EarlySignals): void {
  const config = loadConfigOrExit(() => loadConfig());
  const log = createLogger({ name: 'client', level: config.logLevel, format: formatFromEnv() });
  const controller = new AbortController();
  // A signal that came while the modules loaded aborts the run before it connects.
  signals.handle(name => {
    log.info('signal', 'success', { signal: name });
    controller.abort();
  });

  runClient(config, log, controller.signal).then(
    code => {
      process.exitCode = code;
    },
    (error: unknown) => {
      log.critical('client', 'fail', { error: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
    },
  );
}
