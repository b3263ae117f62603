import type net from 'node:net';
import { Connection, selectProtocol } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { echoProtocol, lotteryProtocol } from '@tp0/protocol';
import { BetIngest } from './bet-ingest.js';
import type { ServerConfig } from './config.js';
import { ClientConnections, type Session } from './connections.js';
import { startDraw } from './draw.js';
import { serveEcho } from './echo-session.js';
import { InFlightWork } from './in-flight.js';
import { Lottery } from './lottery.js';
import { serveLottery, type LotterySessionParts } from './lottery-session.js';
import { endAfterError } from './session-end.js';
import { shutDown } from './shutdown.js';
import { BetWriter } from './storage/bet-writer.js';

export interface RunningServer {
  /** The bound port (useful with SERVER_PORT = 0). */
  readonly port: number;
  /** Graceful shutdown: stop accepting, finish in-flight writes and acks, close clients, the file and the draw. */
  close(): Promise<void>;
}

/**
 * One listener, many agencies: each connection's messages are handled one at a time and in order (its
 * `Connection.handle` pipeline, socket paused while the handler is behind), connections run concurrently, and
 * every bet goes through the one BetWriter.
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
  const work = new InFlightWork();
  const parts: LotterySessionParts = { log, lottery, work, ingest: new BetIngest(log, lottery, writer, work) };
  const connections = await ClientConnections.listen(config, log, (socket) => openSession(socket, parts));
  let closing: Promise<void> | null = null;
  return {
    port: connections.port,
    close: () => (closing ??= shutDown({ log, work, connections, lottery, writer })),
  };
}

/** Serves the protocol the socket's first bytes ask for: the lottery header, else the echo protocol. */
async function openSession(socket: net.Socket, parts: LotterySessionParts): Promise<Session | undefined> {
  let protocol;
  try {
    protocol = await selectProtocol(socket, [lotteryProtocol], echoProtocol);
  } catch (err) {
    // A lottery header of another version (selectProtocol already sent ours back), or a broken socket.
    await endAfterError(new Connection(socket, lotteryProtocol.codec), parts.log, err);
    return undefined;
  }
  if (socket.destroyed || parts.work.stopping) return void socket.destroy();
  return protocol === lotteryProtocol ? serveLottery(socket, parts) : serveEcho(socket, parts.log, parts.work);
}
