import type { CourseLogger } from '@tp0/common';
import { configFields, type ClientConfig } from './config.js';
import { ShutdownError } from './shutdown.js';

/**
 * Runs the configured mode and returns the process exit code. Aborting `signal` (SIGTERM/SIGINT) stops reading,
 * closes the file and the connection (each logged), logs `shutdown` and returns 0. Each mode's module is loaded
 * when chosen (csv-parse only for the agency).
 */
export async function runClient(config: ClientConfig, log: CourseLogger, signal?: AbortSignal): Promise<number> {
  log.debug('config', 'success', configFields(config));
  try {
    switch (config.mode) {
      case 'echo':
        return await (await import('./echo.js')).runEcho(config, log, signal);
      case 'bet':
        if (config.bet === null) throw new Error('bet mode without a bet');
        return await (await import('./single-bet.js')).runSingleBet({ ...config, bet: config.bet }, log, signal);
      case 'agency':
        return await (await import('./agency.js')).runAgency(config, log, signal);
    }
  } catch (error) {
    if (!(error instanceof ShutdownError)) throw error;
    log.info('shutdown', 'success', { client_id: config.id });
    return 0;
  }
}
