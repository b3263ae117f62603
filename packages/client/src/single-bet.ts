import type { CourseLogger } from '@tp0/common';
import type { Bet } from '@tp0/protocol';
import { closeConnection } from './close.js';
import type { ClientConfig } from './config.js';
import { describeError, describeReply, openLottery, request } from './net.js';
import { isAborted, ShutdownError } from './shutdown.js';

/** Exercise 5: one bet (from NOMBRE, APELLIDO, ...), one ack. Returns the exit code; throws ShutdownError on SIGTERM. */
export async function runSingleBet(config: ClientConfig & { bet: Bet }, log: CourseLogger, signal?: AbortSignal): Promise<number> {
  const fields = { dni: config.bet.document, numero: config.bet.number };
  try {
    const connection = await openLottery(config, signal);
    try {
      const reply = await request(connection, { type: 'bet', agency: config.id, bet: config.bet }, signal);
      if (reply.type !== 'ack') {
        log.error('apuesta_enviada', 'fail', { ...fields, error: describeReply(reply) });
        return 1;
      }
    } finally {
      await closeConnection(connection, log, isAborted(signal));
    }
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    log.error('apuesta_enviada', 'fail', { ...fields, error: describeError(error) });
    return 1;
  }
  log.info('apuesta_enviada', 'success', fields);
  return 0;
}
