import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { betProblem, type CourseLogger } from '@tp0/common';
import {
  Connection,
  echoProtocol,
  ErrorCode,
  isCodecError,
  lotteryProtocol,
  selectProtocol,
  type LotteryMessage,
  type WireBet,
} from '@tp0/codec';
import type { ServerConfig } from './config.js';
import { startDraw } from './draw.js';
import { Lottery, LotteryError } from './lottery.js';
import { BetWriter, WriterClosedError } from './storage/bet-writer.js';
import { Bet } from './storage/bets.js';

export interface RunningServer {
  /** The bound port (useful with SERVER_PORT = 0). */
  readonly port: number;
  /** Graceful shutdown: stop accepting, finish in-flight writes and acks, close clients, the file and the draw. */
  close(): Promise<void>;
}

type LotteryConnection = Connection<LotteryMessage, LotteryMessage>;
type Reply = Extract<LotteryMessage, { type: 'error' }>;

/** How long `close()` waits for in-flight messages before closing their sockets anyway. */
const IN_FLIGHT_GRACE_MS = 3000;
/** How long a closing client gets to answer our FIN before its socket is destroyed. */
const CLIENT_CLOSE_MS = 500;

const errorReply = (code: ErrorCode, message: string): Reply => ({ type: 'error', code, message });

const PROTOCOL_ERROR_REPLY: Readonly<Record<string, ErrorCode>> = {
  ERR_FRAME_TOO_LONG: ErrorCode.FRAME_TOO_LARGE,
  ERR_UNSUPPORTED_VERSION: ErrorCode.UNSUPPORTED_VERSION,
};

/**
 * One listener, many agencies: each connection's messages are handled one at a time (the codec reads the next
 * only when the handler finished), connections run concurrently, and every bet goes through the one BetWriter.
 */
export async function startServer(config: ServerConfig, log: CourseLogger): Promise<RunningServer> {
  const writer = await BetWriter.open(config.betsFile, config.fsync, log);
  const lottery = new Lottery(
    config.agencies,
    async () => {
      // Every batch validated before the last `finished` is already queued in the writer.
      await writer.flush();
      return startDraw(config.betsFile);
    },
    log,
  );
  const sockets = new Set<net.Socket>();
  const connections = new Map<net.Socket, { close(timeoutMs: number): Promise<void> }>();
  const inFlight = new Set<Promise<void>>();
  let shuttingDown = false;

  const track = (work: Promise<void>): Promise<void> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  const protocolError = async (socket: net.Socket, ip: string, err: unknown, reply?: (r: Reply) => Promise<void>) => {
    if (isCodecError(err, 'ERR_CONNECTION_CLOSED') || isCodecError(err, 'ERR_SOCKET_CLOSED') || !isCodecError(err)) {
      if (!isCodecError(err)) log.debug('connection_error', 'fail', { ip, error: (err as Error).message });
      socket.destroy();
      return;
    }
    log.info('protocol_error', 'fail', { ip, error: err.message });
    try {
      await reply?.(errorReply(PROTOCOL_ERROR_REPLY[err.code] ?? ErrorCode.MALFORMED, err.message));
    } catch {
      // The peer may be gone already; the connection closes either way.
    }
    closeAfterError(socket);
  };

  const storeBets = async (conn: LotteryConnection, ip: string, agency: number, wire: readonly WireBet[], single: boolean) => {
    const received = (result: 'success' | 'fail', fields: Record<string, string | number> = {}) =>
      single
        ? log.info('apuesta_almacenada', result, { dni: wire[0]?.document, numero: wire[0]?.number, ...fields })
        : log.info('apuesta_recibida', result, { cantidad: wire.length, ...fields });
    const refuse = (reply: Reply) => {
      received('fail', { ip, error: reply.message });
      return conn.send(reply);
    };
    if (shuttingDown) return refuse(errorReply(ErrorCode.SHUTTING_DOWN, 'server is shutting down; nothing was stored'));
    const agencyProblem = lottery.betProblem(agency);
    if (agencyProblem !== null) return refuse(errorReply(ErrorCode.UNKNOWN_AGENCY, agencyProblem.message));
    const bets: Bet[] = [];
    for (const [index, bet] of wire.entries()) {
      let problem = betProblem(bet);
      if (problem === null) {
        try {
          bets.push(new Bet(String(agency), bet.firstName, bet.lastName, bet.document, bet.birthdate, String(bet.number)));
        } catch (err) {
          problem = (err as Error).message;
        }
      }
      if (problem !== null) {
        const where = single ? 'bet' : `bet ${index} of ${wire.length}`;
        return refuse(errorReply(ErrorCode.INVALID_BET, `${where}: ${problem}; nothing of this message was stored`));
      }
    }
    // Validation and append happen in one tick, so a draw triggered after this point sees these rows.
    try {
      await writer.append(bets);
    } catch (err) {
      const code = err instanceof WriterClosedError ? ErrorCode.SHUTTING_DOWN : ErrorCode.STORAGE_FAILURE;
      return refuse(errorReply(code, `bets not stored: ${(err as Error).message}`));
    }
    if (single) received('success');
    else {
      received('success');
      if (log.isDebugEnabled()) {
        for (const bet of bets) log.debug('apuesta_almacenada', 'success', { dni: bet.document, numero: bet.number });
      }
    }
    await conn.send({ type: 'ack', count: bets.length });
  };

  const handleLottery = async (conn: LotteryConnection, ip: string, msg: LotteryMessage): Promise<void> => {
    try {
      switch (msg.type) {
        case 'bet':
          return await storeBets(conn, ip, msg.agency, [msg.bet], true);
        case 'bet_batch':
          return await storeBets(conn, ip, msg.agency, msg.bets, false);
        case 'finished':
          lottery.finished(msg.agency);
          return await conn.send({ type: 'ack', count: 0 });
        case 'winners_query': {
          if (shuttingDown) throw new LotteryError('SHUTTING_DOWN', 'server is shutting down');
          log.debug('consulta_ganadores', 'in_progress', { ip, agencia: msg.agency });
          const documents = await lottery.winnersOf(msg.agency);
          log.info('consulta_ganadores', 'success', { ip, agencia: msg.agency, cant_ganadores: documents.length });
          return await conn.send({ type: 'winners', agency: msg.agency, documents });
        }
        default:
          log.info('unexpected_message', 'fail', { ip, type: msg.type });
          return await conn.send(errorReply(ErrorCode.UNEXPECTED_MESSAGE, `a client does not send ${msg.type} messages`));
      }
    } catch (err) {
      if (!(err instanceof LotteryError)) throw err;
      log.info(msg.type === 'winners_query' ? 'consulta_ganadores' : msg.type, 'fail', { ip, error: err.message });
      await conn.send(errorReply(ErrorCode[err.code], err.message));
    }
  };

  const serveLottery = (socket: net.Socket) => {
    const conn: LotteryConnection = new Connection(socket, lotteryProtocol.codec);
    const ip = conn.remoteAddress;
    connections.set(socket, conn);
    conn.handle((msg) => track(handleLottery(conn, ip, msg))).subscribe({
      complete: () => void conn.close(CLIENT_CLOSE_MS),
      error: (err: unknown) => void protocolError(socket, ip, err, (reply) => conn.send(reply)),
    });
  };

  const serveEcho = (socket: net.Socket) => {
    const conn = new Connection<string, string>(socket, echoProtocol.codec);
    const ip = conn.remoteAddress;
    connections.set(socket, conn);
    conn
      .handle((line) => {
        log.info('receive_message', 'success', { ip, msg: line });
        return track(conn.send(line));
      })
      .subscribe({
        complete: () => void conn.close(CLIENT_CLOSE_MS),
        error: (err: unknown) => void protocolError(socket, ip, err),
      });
  };

  const onConnection = async (socket: net.Socket) => {
    const ip = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    if (shuttingDown) return void socket.destroy();
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => {
      sockets.delete(socket);
      connections.delete(socket);
      log.info('close_connection', 'success', { ip });
    });
    log.info('accept_connection', 'success', { ip });
    let protocol;
    try {
      protocol = await selectProtocol(socket, [lotteryProtocol], echoProtocol);
    } catch (err) {
      return void protocolError(socket, ip, err);
    }
    if (socket.destroyed || shuttingDown) return void socket.destroy();
    if (protocol.name === lotteryProtocol.name) serveLottery(socket);
    else serveEcho(socket);
  };

  const listener = net.createServer({ allowHalfOpen: true }, (socket) => void onConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ port: config.port, host: config.ip === '' ? undefined : config.ip, backlog: config.listenBacklog }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const { port } = listener.address() as net.AddressInfo;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      log.info('shutdown', 'in_progress');
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // Releases winners queries still waiting for the draw (they are answered SHUTTING_DOWN) and stops the draw.
      await lottery.close();
      await Promise.race([Promise.allSettled([...inFlight]), delay(IN_FLIGHT_GRACE_MS, undefined, { ref: false })]);
      await Promise.all(
        [...sockets].map((socket) => {
          const conn = connections.get(socket);
          if (conn === undefined) return void socket.destroy();
          return conn.close(CLIENT_CLOSE_MS).catch(() => socket.destroy());
        }),
      );
      await writer.close();
      await listenerClosed;
      log.info('shutdown', 'success');
    })());

  return { port, close };
}

/** Ends the socket after an error reply; unread input is drained so the kernel sends FIN, not a reset that could drop the reply. */
function closeAfterError(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.unpipe();
  socket.on('data', () => {});
  socket.end();
  socket.resume();
  setTimeout(() => socket.destroy(), CLIENT_CLOSE_MS).unref();
}
