import type net from 'node:net';
import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { ErrorCode, lotteryProtocol, type LotteryMessage } from '@tp0/protocol';
import type { AgencyBindings } from './agencies/bindings.js';
import type { AgencyLedger } from './agencies/ledger.js';
import type { BetIngest } from './bet-ingest.js';
import { decodeErrorReply, errorReply, lotteryErrorReply, type ErrorReply } from './error-replies.js';
import { IdleTimer } from './idle-timer.js';
import type { InFlightWork } from './in-flight.js';
import { LotteryError, type AgencyId, type Lottery } from './lottery.js';
import { CLIENT_CLOSE_MS, sessionEnd } from './session-end.js';

export type LotteryConnection = Connection<LotteryMessage, LotteryMessage>;

export interface LotterySessionParts {
  readonly log: CourseLogger;
  readonly lottery: Lottery;
  readonly ingest: BetIngest;
  readonly work: InFlightWork;
  readonly ledger: AgencyLedger;
  readonly bindings: AgencyBindings<LotteryConnection>;
  /** Agency -> secret its hello must carry; empty when the server has none. */
  readonly secrets: ReadonlyMap<number, string>;
  /** See ServerConfig.idleTimeout. */
  readonly idleTimeoutMs: number;
}

/**
 * Serves one agency's connection through its handler pipeline: each message gets one reply, in order, and the
 * next message is handled once the previous reply was sent. A frame that cannot be decoded is answered (after
 * every message before it) with MALFORMED or FRAME_TOO_LARGE, and ends the connection.
 *
 * The first message that names an agency binds the connection to it (AgencyBindings); a connection silent for
 * longer than the idle timeout is answered TIMEOUT and closed.
 */
export function serveLottery(socket: net.Socket, parts: LotterySessionParts): LotteryConnection {
  const conn: LotteryConnection = new Connection(socket, lotteryProtocol.codec);
  const ip = conn.remoteAddress;
  const timer = new IdleTimer(parts.idleTimeoutMs, () => {
    parts.log.info('timeout', 'fail', { ip, agencia: parts.bindings.agencyOf(conn) ?? '-', idle_ms: parts.idleTimeoutMs });
    const reply = errorReply(ErrorCode.TIMEOUT, `no whole message for ${parts.idleTimeoutMs} ms; closing the connection`);
    void conn.send(reply).catch(() => {}).finally(() => conn.close(CLIENT_CLOSE_MS));
  });
  socket.once('close', () => {
    timer.stop();
    parts.bindings.release(conn);
  });
  conn
    .handle((message) => {
      timer.busy();
      const handled = answer(message, conn, ip, parts).then((reply) => conn.send(reply));
      return parts.work.track(handled).finally(() => timer.idle());
    })
    .subscribe(sessionEnd(conn, parts.log, decodeErrorReply));
  return conn;
}

/** The course's action name for a message's failure line. */
const FAILURE_ACTION: Partial<Record<LotteryMessage['type'], string>> = {
  bet: 'apuesta_almacenada',
  bet_batch: 'apuesta_recibida',
  winners_query: 'consulta_ganadores',
  hello: 'reanudar',
};

/** The reply to one message from an agency. */
async function answer(message: LotteryMessage, conn: LotteryConnection, ip: string, parts: LotterySessionParts): Promise<LotteryMessage> {
  const { log, lottery, ingest, work } = parts;
  try {
    switch (message.type) {
      case 'ack':
      case 'error':
      case 'winners':
      case 'resume':
        log.info('unexpected_message', 'fail', { ip, type: message.type });
        return errorReply(ErrorCode.UNEXPECTED_MESSAGE, `a client does not send ${message.type} messages`);
    }
    const agency = lottery.agency(message.agency);
    const refused = bindingProblem(message, agency, conn, ip, parts);
    if (refused !== null) return refused;
    switch (message.type) {
      case 'hello':
        return await resume(agency, ip, parts);
      case 'bet':
        return await ingest.storeOne(ip, agency, message.bet);
      case 'bet_batch':
        return await ingest.storeBatch(ip, agency, message.first, message.bets);
      case 'finished':
        return await finish(agency, message.total, ip, parts);
      case 'winners_query': {
        if (work.stopping) throw new LotteryError('SHUTTING_DOWN', 'server is shutting down');
        log.debug('consulta_ganadores', 'in_progress', { ip, agencia: agency });
        const documents = await lottery.winnersOf(agency);
        log.info('consulta_ganadores', 'success', { ip, agencia: agency, cant_ganadores: documents.length });
        return { type: 'winners', agency, documents };
      }
    }
  } catch (err) {
    if (!(err instanceof LotteryError)) throw err;
    log.info(FAILURE_ACTION[message.type] ?? message.type, 'fail', { ip, error: err.message });
    return lotteryErrorReply(err);
  }
}

/**
 * Binds the connection to the message's agency, or the reply refusing it: another connection holds the agency
 * (AGENCY_BUSY), this one speaks for another (WRONG_AGENCY), or a configured secret was not presented first.
 */
function bindingProblem(message: LotteryMessage, agency: AgencyId, conn: LotteryConnection, ip: string, parts: LotterySessionParts): ErrorReply | null {
  const bound = parts.bindings.agencyOf(conn);
  if (bound === undefined) {
    const secret = parts.secrets.get(agency);
    if (secret !== undefined && (message.type !== 'hello' || message.secret !== secret)) {
      parts.log.info('autenticar_agencia', 'fail', { ip, agencia: agency });
      return errorReply(ErrorCode.UNAUTHORIZED, `agency ${agency} needs its secret in a hello before anything else`);
    }
  }
  switch (parts.bindings.bind(conn, agency)) {
    case 'bound':
      return null;
    case 'busy':
      parts.log.info('vincular_agencia', 'fail', { ip, agencia: agency, error: 'agency in use by another connection' });
      return errorReply(ErrorCode.AGENCY_BUSY, `agency ${agency} is in use by another connection (two clients with the same id?)`);
    case 'other':
      parts.log.info('vincular_agencia', 'fail', { ip, agencia: agency, vinculada: bound });
      return errorReply(ErrorCode.WRONG_AGENCY, `this connection speaks for agency ${bound}, not ${agency}`);
  }
}

/** `hello`: how many of the agency's bets are stored, once every write it started is done. */
async function resume(agency: AgencyId, ip: string, parts: LotterySessionParts): Promise<LotteryMessage> {
  const stored = await parts.ledger.exclusive(agency, async () => parts.ledger.stored(agency));
  const finished = parts.lottery.hasFinished(agency);
  parts.log.info('reanudar', 'success', { ip, agencia: agency, almacenadas: stored, finalizada: finished });
  return { type: 'resume', agency, stored, finished: finished ? 1 : 0 };
}

/** `finished`: acked once recorded on disk, and only when exactly `total` bets of the agency are stored. */
async function finish(agency: AgencyId, total: number, ip: string, parts: LotterySessionParts): Promise<LotteryMessage> {
  return parts.ledger.exclusive(agency, async () => {
    const stored = parts.ledger.stored(agency);
    if (stored !== total) {
      parts.log.info('finished', 'fail', { ip, agencia: agency, enviadas: total, almacenadas: stored });
      return errorReply(ErrorCode.OUT_OF_ORDER, `agency ${agency} says it sent ${total} bets but ${stored} are stored`);
    }
    await parts.lottery.finished(agency, total);
    return { type: 'ack', count: 0 };
  });
}
