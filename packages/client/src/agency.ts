import type { CourseLogger } from '@tp0/common';
import { closeConnection } from './close.js';
import type { ClientConfig } from './config.js';
import { BadRowError, readBatches } from './csv-source.js';
import { describeError, describeReply, openLottery, request, type LotteryConnection } from './net.js';
import { isAborted, ShutdownError } from './shutdown.js';

/**
 * Exercises 6-8: stream the agency's CSV in batches, each acknowledged before the next is read; then `finished`
 * and `winners_query`. Memory is bounded by one batch plus the stream buffers: the loop below pulls the next batch
 * only after the previous ack, so csv-parse and the file stream pause meanwhile.
 * Returns the exit code; throws ShutdownError on SIGTERM after closing the file and the connection.
 */
export async function runAgency(config: ClientConfig, log: CourseLogger, signal?: AbortSignal): Promise<number> {
  let connection: LotteryConnection;
  try {
    connection = await openLottery(config, signal);
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    log.error('connect', 'fail', { client_id: config.id, error: describeError(error) });
    return 1;
  }
  const bets = readBatches(config.dataFile, { maxAmount: config.batchMaxAmount });
  let action = 'apuesta_enviada';
  let sent = 0;
  try {
    for await (const batch of bets) {
      if (isAborted(signal)) throw new ShutdownError();
      const reply = await request(connection, { type: 'bet_batch', agency: config.id, bets: batch }, signal);
      if (reply.type !== 'ack') {
        log.error('apuesta_enviada', 'fail', { cantidad: batch.length, error: describeReply(reply) });
        return 1;
      }
      sent += batch.length;
      log.debug('apuesta_enviada', 'success', { cantidad: batch.length });
    }
    log.info('apuesta_enviada', 'success', { cantidad: sent });

    action = 'finished';
    const finished = await request(connection, { type: 'finished', agency: config.id }, signal);
    if (finished.type !== 'ack') {
      log.error('finished', 'fail', { error: describeReply(finished) });
      return 1;
    }

    action = 'consulta_ganadores';
    const winners = await request(connection, { type: 'winners_query', agency: config.id }, signal);
    if (winners.type !== 'winners') {
      log.error('consulta_ganadores', 'fail', { error: describeReply(winners) });
      return 1;
    }
    log.info('consulta_ganadores', 'success', { cant_ganadores: winners.documents.length });
    return 0;
  } catch (error) {
    if (error instanceof ShutdownError) throw error;
    if (error instanceof BadRowError) {
      log.error('leer_apuestas', 'fail', { file: config.dataFile, line: error.line, error: error.reason, enviadas: sent });
    } else {
      log.error(action, 'fail', { enviadas: sent, error: describeError(error) });
    }
    return 1;
  } finally {
    const shuttingDown = isAborted(signal);
    await bets.return(undefined);
    if (shuttingDown) log.info('close_file', 'success', { file: config.dataFile });
    await closeConnection(connection, log, shuttingDown);
  }
}
