import type net from 'node:net';
import { Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { ErrorCode, lotteryProtocol, type LotteryMessage } from '@tp0/protocol';
import type { BetIngest } from './bet-ingest.js';
import { decodeErrorReply, errorReply, lotteryErrorReply } from './error-replies.js';
import type { InFlightWork } from './in-flight.js';
import { LotteryError, type Lottery } from './lottery.js';
import { sessionEnd } from './session-end.js';

export type LotteryConnection = Connection<LotteryMessage, LotteryMessage>;

export interface LotterySessionParts {
  readonly log: CourseLogger;
  readonly lottery: Lottery;
  readonly ingest: BetIngest;
  readonly work: InFlightWork;
}

/**
 * Serves one agency's connection through its handler pipeline: each message gets one reply, in order, and the
 * next message is handled once the previous reply was sent. A frame that cannot be decoded is answered (after
 * every message before it) with MALFORMED or FRAME_TOO_LARGE, and ends the connection.
 */
export function serveLottery(socket: net.Socket, parts: LotterySessionParts): LotteryConnection {
  const conn: LotteryConnection = new Connection(socket, lotteryProtocol.codec);
  const ip = conn.remoteAddress;
  conn
    .handle((message) => parts.work.track(answer(message, ip, parts).then((reply) => conn.send(reply))))
    .subscribe(sessionEnd(conn, parts.log, decodeErrorReply));
  return conn;
}

/** The reply to one message from an agency. */
async function answer(message: LotteryMessage, ip: string, parts: LotterySessionParts): Promise<LotteryMessage> {
  const { log, lottery, ingest, work } = parts;
  try {
    switch (message.type) {
      case 'bet':
        return await ingest.storeOne(ip, message.agency, message.bet);
      case 'bet_batch':
        return await ingest.storeBatch(ip, message.agency, message.bets);
      case 'finished':
        lottery.finished(message.agency);
        return { type: 'ack', count: 0 };
      case 'winners_query': {
        if (work.stopping) throw new LotteryError('SHUTTING_DOWN', 'server is shutting down');
        log.debug('consulta_ganadores', 'in_progress', { ip, agencia: message.agency });
        const documents = await lottery.winnersOf(message.agency);
        log.info('consulta_ganadores', 'success', { ip, agencia: message.agency, cant_ganadores: documents.length });
        return { type: 'winners', agency: message.agency, documents };
      }
      default:
        log.info('unexpected_message', 'fail', { ip, type: message.type });
        return errorReply(ErrorCode.UNEXPECTED_MESSAGE, `a client does not send ${message.type} messages`);
    }
  } catch (err) {
    if (!(err instanceof LotteryError)) throw err;
    log.info(message.type === 'winners_query' ? 'consulta_ganadores' : message.type, 'fail', { ip, error: err.message });
    return lotteryErrorReply(err);
  }
}
