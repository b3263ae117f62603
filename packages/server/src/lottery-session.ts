import type net from 'node:net';
import { route, type Connection, type Route } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { ErrorCode, lotteryProtocol, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';
import type { AgencyBindings } from './agencies/bindings.js';
import type { AgencyLedger } from './agencies/ledger.js';
import type { BetIngest } from './bet-ingest.js';
import { decodeErrorReply, errorReply, lotteryErrorReply, type ErrorReply } from './error-replies.js';
import type { InFlightWork } from './in-flight.js';
import { LotteryError, type AgencyId, type Lottery } from './lottery.js';
import { CLIENT_CLOSE_MS, logSessionEnd } from './session-end.js';

export type LotteryConnection = Connection<LotteryRequest, LotteryResponse>;

export interface LotterySessionParts {
  readonly log: CourseLogger;
  readonly lottery: Lottery;
  readonly ingest: BetIngest;
  readonly work: InFlightWork;
  readonly ledger: AgencyLedger;
  readonly bindings: AgencyBindings<LotterySession>;
  /** Agency -> secret its hello must carry; empty when the server has none. */
  readonly secrets: ReadonlyMap<number, string>;
  /** See ServerConfig.idleTimeout. */
  readonly idleTimeoutMs: number;
}

/** One agency connection, as the agency bindings know it. */
export interface LotterySession {
  readonly conn: LotteryConnection;
  readonly ip: string;
  /** Resolves once the socket closed (reset, closed by either side): a handler stops waiting on the peer's behalf. */
  readonly gone: Promise<null>;
}

/**
 * The lottery route of one accepted socket, for `serveRoutes`: each message gets one reply, in order, and the next
 * message is handled once the previous reply was sent. A frame that cannot be decoded is answered (after every
 * message before it) with MALFORMED or FRAME_TOO_LARGE, and ends the connection.
 *
 * The first message that names an agency binds the connection to it (AgencyBindings) until the socket closes, or a
 * newer connection's `hello` for the agency takes it over (that one is answered SESSION_TAKEN_OVER and closed).
 * A connection silent for longer than the idle timeout is answered TIMEOUT and closed.
 */
export function lotteryRoute(socket: net.Socket, parts: LotterySessionParts, started: (conn: LotteryConnection) => void): Route<LotteryRequest, LotteryResponse> {
  // From the accept: a socket that closes while its protocol is chosen is gone too.
  const gone = new Promise<null>((resolve) => socket.once('close', () => resolve(null)));
  let session: LotterySession | undefined;
  const sessionOf = (conn: LotteryConnection): LotterySession => (session ??= { conn, ip: conn.remoteAddress, gone });
  return route(
    lotteryProtocol,
    (message, conn) => parts.work.track(answer(message, sessionOf(conn), parts)).then((reply) => reply ?? undefined),
    {
      onStart: (conn) => {
        const own = sessionOf(conn);
        // A dead or closed peer frees its agency at once, whatever its handler is waiting for.
        void gone.then(() => parts.bindings.release(own));
        started(conn);
      },
      onIdle: (conn) => {
        parts.log.info('timeout', 'fail', { ip: conn.remoteAddress, agencia: parts.bindings.agencyOf(sessionOf(conn)) ?? '-', idle_ms: parts.idleTimeoutMs });
        return errorReply(ErrorCode.TIMEOUT, `no whole message for ${parts.idleTimeoutMs} ms; closing the connection`);
      },
      onDecodeError: decodeErrorReply,
      onEnd: (end, conn) => {
        if (conn !== undefined) parts.bindings.release(sessionOf(conn));
        logSessionEnd(parts.log, conn?.remoteAddress ?? 'unknown', end);
      },
    },
  );
}

/** The course's action name for a message's failure line. */
const FAILURE_ACTION: Partial<Record<LotteryRequest['type'], string>> = {
  bet: 'apuesta_almacenada',
  bet_batch: 'apuesta_recibida',
  winners_query: 'consulta_ganadores',
  hello: 'reanudar',
};

/** The reply to one message from an agency; null when the connection closed while its query waited. */
async function answer(message: LotteryRequest, session: LotterySession, parts: LotterySessionParts): Promise<LotteryResponse | null> {
  const { log, lottery, ingest, work } = parts;
  const { ip } = session;
  try {
    const agency = lottery.agency(message.agency);
    const refused = bindingProblem(message, agency, session, parts);
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
        const documents = await Promise.race([lottery.winnersOf(agency), session.gone]);
        if (documents === null) {
          log.debug('consulta_ganadores', 'fail', { ip, agencia: agency, error: 'the connection closed while the query waited' });
          return null;
        }
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
 * Binds the connection to the message's agency, or the reply refusing it: a configured secret was not presented
 * first (UNAUTHORIZED), this connection speaks for another agency (WRONG_AGENCY) or lost this one to a newer
 * connection (SESSION_TAKEN_OVER), or another connection holds the agency and this message is not a `hello`
 * (AGENCY_BUSY). A `hello` takes the agency over from the connection holding it.
 */
function bindingProblem(message: LotteryRequest, agency: AgencyId, session: LotterySession, parts: LotterySessionParts): ErrorReply | null {
  const { ip } = session;
  const bound = parts.bindings.agencyOf(session);
  if (bound === undefined) {
    const secret = parts.secrets.get(agency);
    if (secret !== undefined && (message.type !== 'hello' || message.secret !== secret)) {
      parts.log.info('autenticar_agencia', 'fail', { ip, agencia: agency });
      return errorReply(ErrorCode.UNAUTHORIZED, `agency ${agency} needs its secret in a hello before anything else`);
    }
  }
  const { result, previous } = message.type === 'hello' ? parts.bindings.takeOver(session, agency) : { result: parts.bindings.bind(session, agency) };
  if (previous !== undefined) endTakenOver(previous, agency, session, parts);
  switch (result) {
    case 'bound':
      return null;
    case 'busy':
      parts.log.info('vincular_agencia', 'fail', { ip, agencia: agency, error: 'agency in use by another connection' });
      return errorReply(ErrorCode.AGENCY_BUSY, `agency ${agency} is in use by another connection (a hello takes it over)`);
    case 'other':
      parts.log.info('vincular_agencia', 'fail', { ip, agencia: agency, vinculada: bound });
      return errorReply(ErrorCode.WRONG_AGENCY, `this connection speaks for agency ${bound}, not ${agency}`);
    case 'taken-over':
      return takenOverReply(agency);
  }
}

const takenOverReply = (agency: number): ErrorReply =>
  errorReply(ErrorCode.SESSION_TAKEN_OVER, `agency ${agency} was taken over by a newer connection; this one is closed`);

/**
 * The old connection of a taken-over agency: told why and closed, whatever it was waiting for. A write it started
 * still completes inside the agency's `exclusive` section, before the new connection's `hello` counts the bets.
 */
function endTakenOver(previous: LotterySession, agency: AgencyId, by: LotterySession, parts: LotterySessionParts): void {
  parts.log.info('tomar_agencia', 'success', { ip: by.ip, agencia: agency, anterior: previous.ip });
  void previous.conn
    .send(takenOverReply(agency))
    .catch(() => {})
    .finally(() => previous.conn.close(CLIENT_CLOSE_MS));
}

/** `hello`: how many of the agency's bets are stored, once every write it started is done. */
async function resume(agency: AgencyId, ip: string, parts: LotterySessionParts): Promise<LotteryResponse> {
  const stored = await parts.ledger.exclusive(agency, async () => parts.ledger.stored(agency));
  const finished = parts.lottery.hasFinished(agency);
  parts.log.info('reanudar', 'success', { ip, agencia: agency, almacenadas: stored, finalizada: finished });
  return { type: 'resume', agency, stored, finished: finished ? 1 : 0 };
}

/** `finished`: acked once recorded on disk, and only when exactly `total` bets of the agency are stored. */
async function finish(agency: AgencyId, total: number, ip: string, parts: LotterySessionParts): Promise<LotteryResponse> {
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
