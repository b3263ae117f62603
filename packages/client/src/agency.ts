import { lastValueFrom, tap } from 'rxjs';
import type { CourseLogger } from '@tp0/common';
import type { Bet } from '@tp0/protocol';
import { closeConnection } from './close.js';
import type { ClientConfig } from './config.js';
import { badRowOf, openCsvRecords } from './csv-rows.js';
import { describeError, describeReply, openLottery, request, type LotteryConnection } from './net.js';
import { sendBets } from './send-bets.js';
import { isAborted, ShutdownError, stopOnAbort } from './shutdown.js';

/** The server answered a batch with something other than an ack. */
class BatchRefused extends Error {
  constructor(
    readonly count: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Exercises 6-8: stream the agency's CSV in batches through the RxJS pipeline of `sendBets` (each batch
 * acknowledged before the next is sent; reading bounded by the window), then `finished` and `winners_query`.
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
  const records = openCsvRecords(config.dataFile);
  let action = 'apuesta_enviada';
  let sent = 0;
  try {
    const batches = sendBets(records, config.batchMaxAmount, batch => sendBatch(connection, config.id, batch));
    const counted = batches.pipe(
      tap(count => {
        sent += count;
        log.debug('apuesta_enviada', 'success', { cantidad: count });
      }),
      stopOnAbort(signal),
    );
    await lastValueFrom(counted, { defaultValue: 0 });
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
    if (error instanceof BatchRefused) {
      log.error('apuesta_enviada', 'fail', { cantidad: error.count, error: error.reason });
      return 1;
    }
    const badRow = badRowOf(error);
    if (badRow !== undefined) {
      log.error('leer_apuestas', 'fail', { file: config.dataFile, line: badRow.line, error: badRow.reason, enviadas: sent });
    } else {
      log.error(action, 'fail', { enviadas: sent, error: describeError(error) });
    }
    return 1;
  } finally {
    const shuttingDown = isAborted(signal);
    records.destroy();
    if (shuttingDown) log.info('close_file', 'success', { file: config.dataFile });
    await closeConnection(connection, log, shuttingDown);
  }
}

async function sendBatch(connection: LotteryConnection, agency: number, bets: Bet[]): Promise<void> {
  const reply = await request(connection, { type: 'bet_batch', agency, bets });
  if (reply.type !== 'ack') throw new BatchRefused(bets.length, describeReply(reply));
}
