import type { Parser } from 'csv-parse';
import { lastValueFrom, tap } from 'rxjs';
import { formatDuration, type CourseLogger } from '@tp0/common';
import { ErrorCode } from '@tp0/protocol';
import { closeConnection } from './close.js';
import type { ClientConfig } from './config.js';
import { badRowOf, countCsvRecords, openCsvRecords } from './csv-rows.js';
import { expectReply, FileMismatch, isRetryable, ProtocolViolation, ServerError } from './failures.js';
import { backoff, connectOnce, describeError, lotteryConnection } from './net.js';
import { Requester } from './requester.js';
import { sendBets } from './send-bets.js';
import { isAborted, ShutdownError, sleep, stopOnAbort, untilAborted } from './shutdown.js';

/** What the sessions so far achieved: the retry loop's measure of progress, and the failure line's fields. */
interface SessionState {
  /** The step under way, for the failure line: connect, reanudar, apuesta_enviada, finished, consulta_ganadores. */
  action: string;
  /** A `resume` came for our agency once: a later AGENCY_BUSY is likely our own dead connection. */
  bound: boolean;
  /** Bets the server holds for this agency: the last `resume`, plus the acks since. */
  stored: number;
  /** The server recorded our `finished`. */
  finished: boolean;
  /** Size of the batch whose reply was refused or wrong, for the `apuesta_enviada | fail | cantidad` line. */
  failedBatch?: number;
}

/**
 * Exercises 6-8 as a resumable session: connect, `hello` → `resume {stored, finished}`; stream the CSV from row
 * `stored` in batches through the RxJS pipeline of `sendBets` (up to `batch.inFlight` ahead of their acks), then
 * `finished {total}` and `winners_query`. Resets, refused connects, timeouts and transient server errors start a
 * new session after a backoff, which learns `stored` again: nothing is sent twice, nothing lost. They are retried
 * within the retry window (`server.connectRetry`), counted from the first failure since the last progress (a bet
 * newly stored, or `finished` recorded): a long run that keeps moving is never cut off, a dead server is given up
 * on after the window. Returns the exit code; throws ShutdownError on SIGTERM after closing file and connection.
 */
export async function runAgency(config: ClientConfig, log: CourseLogger, signal?: AbortSignal): Promise<number> {
  const state: SessionState = { action: 'connect', bound: false, stored: 0, finished: false };
  let mark = 0;
  let failures = 0;
  let windowStart = 0;
  for (;;) {
    try {
      return await runSession(config, log, state, signal);
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
      const progress = state.stored + (state.finished ? 1 : 0);
      if (progress > mark || failures === 0) {
        mark = progress;
        failures = 0;
        windowStart = Date.now();
      }
      failures++;
      const delay = backoff(failures);
      const retryable = isRetryable(error, state.bound);
      if (retryable && Date.now() + delay - windowStart <= config.connectRetry) {
        log.info('reconectar', 'in_progress', { intento: failures + 1, espera: formatDuration(delay), error: describeError(error) });
        await sleep(delay, signal);
        continue;
      }
      if (retryable && failures > 1) {
        log.error('reconectar', 'fail', { intentos: failures, ventana: formatDuration(config.connectRetry), error: describeError(error) });
      }
      logFailure(config, log, state, error);
      return 1;
    }
  }
}

/** One connection's session, from connect to the winners; throws what ended it. */
async function runSession(config: ClientConfig, log: CourseLogger, state: SessionState, signal: AbortSignal | undefined): Promise<number> {
  state.action = 'connect';
  state.failedBatch = undefined;
  const connection = lotteryConnection(await connectOnce(config, signal));
  const requester = new Requester(connection);
  const ask = (message: Parameters<Requester['request']>[0], timeoutMs = config.requestTimeout) => untilAborted(requester.request(message, timeoutMs), signal);
  let records: Parser | undefined;
  let done = false;
  try {
    state.action = 'reanudar';
    const resume = expectReply(await ask({ type: 'hello', agency: config.id, secret: config.secret }), 'resume', 'hello');
    if (resume.agency !== config.id) throw new ProtocolViolation(`resume for agency ${config.id}`, `resume for agency ${resume.agency}`);
    const reconnected = state.bound;
    state.bound = true;
    state.stored = resume.stored;
    state.finished = resume.finished === 1;
    const resumed = { almacenadas: resume.stored, finalizada: state.finished ? 'si' : 'no' };
    if (reconnected || resume.stored > 0 || state.finished) log.info('reanudar', 'success', resumed);
    else log.debug('reanudar', 'success', resumed);

    if (!state.finished) {
      state.action = 'apuesta_enviada';
      records = openCsvRecords(config.dataFile, resume.stored);
      const batches = sendBets(records, { maxAmount: config.batchMaxAmount, inFlight: config.batchInFlight, skipped: resume.stored }, async ({ first, bets }) => {
        try {
          const ack = expectReply(await requester.request({ type: 'bet_batch', agency: config.id, first, bets }, config.requestTimeout), 'ack', 'bet_batch');
          if (ack.count !== bets.length) throw new ProtocolViolation(`ack of ${bets.length} bets (bets ${first + 1}..${first + bets.length})`, `ack of ${ack.count}`);
        } catch (error) {
          state.failedBatch ??= bets.length;
          throw error;
        }
      });
      await lastValueFrom(
        batches.pipe(
          tap(count => {
            state.stored += count;
            log.debug('apuesta_enviada', 'success', { cantidad: count });
          }),
          stopOnAbort(signal),
        ),
        { defaultValue: 0 },
      );
      const rows = records.info.records;
      if (rows < resume.stored) {
        throw new FileMismatch(`the file has ${rows} rows but the server already stored ${resume.stored} bets of agency ${config.id}: not the file this agency sent`);
      }
      log.info('apuesta_enviada', 'success', { cantidad: rows });

      state.action = 'finished';
      expectReply(await ask({ type: 'finished', agency: config.id, total: rows }), 'ack', 'finished');
      state.finished = true;
    } else {
      // The server's lottery already holds this agency's whole file: check it is this file, or the winners would be
      // another dataset's (a rerun on new data against a kept bets.csv).
      const rows = await countCsvRecords(config.dataFile);
      if (rows !== resume.stored) {
        throw new FileMismatch(
          `the server's lottery holds ${resume.stored} bets of agency ${config.id}, finished, but the file has ${rows} rows: not the file this agency sent (start a fresh lottery for new data)`,
        );
      }
    }

    state.action = 'consulta_ganadores';
    const winners = expectReply(await ask({ type: 'winners_query', agency: config.id }, config.winnersTimeout), 'winners', 'winners_query');
    if (winners.agency !== config.id) throw new ProtocolViolation(`winners of agency ${config.id}`, `winners of agency ${winners.agency}`);
    log.info('consulta_ganadores', 'success', { cant_ganadores: winners.documents.length });
    done = true;
    return 0;
  } finally {
    const shuttingDown = isAborted(signal);
    if (records !== undefined) {
      records.destroy();
      if (shuttingDown) log.info('close_file', 'success', { file: config.dataFile });
    }
    requester.close();
    if (done || shuttingDown) await closeConnection(connection, log, shuttingDown);
    else connection.destroy();
  }
}

/** The line of the failure that ended the agency, as the course's apps print them. */
function logFailure(config: ClientConfig, log: CourseLogger, state: SessionState, error: unknown): void {
  const badRow = badRowOf(error);
  if (badRow !== undefined) {
    log.error('leer_apuestas', 'fail', { file: config.dataFile, line: badRow.line, error: badRow.reason, enviadas: state.stored });
  } else if (error instanceof FileMismatch) {
    log.error('leer_apuestas', 'fail', { file: config.dataFile, error: error.message });
  } else if (state.action === 'connect') {
    log.error('connect', 'fail', { client_id: config.id, error: describeError(error) });
  } else if (state.action === 'apuesta_enviada' && state.failedBatch !== undefined) {
    log.error('apuesta_enviada', 'fail', { cantidad: state.failedBatch, error: describeError(error) });
  } else {
    const busy = error instanceof ServerError && error.code === ErrorCode.AGENCY_BUSY;
    const reason = busy ? `${describeError(error)} (another client is connected as agency ${config.id}: two clients with the same id?)` : describeError(error);
    log.error(state.action, 'fail', { enviadas: state.stored, error: reason });
  }
}
