import type net from 'node:net';
import { serveRoutes, type Connection } from '@tp0/codec';
import type { CourseLogger } from '@tp0/common';
import { AgencyBindings } from './agencies/bindings.js';
import { FinishedRecord } from './agencies/finished-record.js';
import { AgencyLedger } from './agencies/ledger.js';
import { BetIngest } from './bet-ingest.js';
import type { ServerConfig } from './config.js';
import { ClientConnections, type Session } from './connections.js';
import { echoRoute } from './echo-session.js';
import { InFlightWork } from './in-flight.js';
import { Lottery } from './lottery.js';
import { lotteryRoute, type LotterySession, type LotterySessionParts } from './lottery-session.js';
import { CLIENT_CLOSE_MS, logSessionEnd } from './session-end.js';
import { shutDown } from './shutdown.js';
import { BetWriter } from './storage/bet-writer.js';

export interface RunningServer {
  /** The bound port (useful with SERVER_PORT = 0). */
  readonly port: number;
  /** Graceful shutdown: stop accepting, finish in-flight writes and acks, close clients and the files. */
  close(): Promise<void>;
}

/** Where the agencies that finished are recorded: beside the bets file. */
export const finishedRecordPath = (betsFile: string): string => `${betsFile}.finished`;

/**
 * One listener, many agencies: each connection's messages are handled one at a time and in order (its
 * `Connection.handle` pipeline, socket paused while the handler is behind), connections run concurrently, and
 * every bet goes through the one BetWriter.
 *
 * State survives a restart: each agency's stored count and winners are read back from the bets file through
 * `loadBets` (after the writer cut any torn row), and the agencies that finished from their record, before the
 * first connection. A row that is not a bet stops the start-up (BetRowError), the file left as it is.
 */
export async function startServer(config: ServerConfig, log: CourseLogger): Promise<RunningServer> {
  const writer = await BetWriter.open(config.betsFile, config.fsync, log);
  let ledger: AgencyLedger;
  try {
    ledger = await AgencyLedger.recover(config.betsFile);
  } catch (err) {
    await writer.close();
    throw err;
  }
  const record = await FinishedRecord.open(finishedRecordPath(config.betsFile));
  logRecovery(log, ledger, record);
  const lottery = new Lottery(config.agencies, ledger, log, record, record.recovered.map((finished) => finished.agency));
  const work = new InFlightWork();
  const parts: LotterySessionParts = {
    log,
    lottery,
    work,
    ledger,
    ingest: new BetIngest(log, lottery, ledger, writer, work),
    bindings: new AgencyBindings<LotterySession>(),
    secrets: config.agencySecrets,
    idleTimeoutMs: config.idleTimeout,
  };
  const connections = await ClientConnections.listen(config, log, (socket) => openSession(socket, parts));
  let closing: Promise<void> | null = null;
  return {
    port: connections.port,
    close: () => (closing ??= shutDown({ log, work, connections, lottery, writer, record })),
  };
}

function logRecovery(log: CourseLogger, ledger: AgencyLedger, record: FinishedRecord): void {
  const finished = record.recovered.map((f) => f.agency);
  if (finished.length === 0 && ledger.agencies().length === 0) return;
  const stored = ledger.agencies().map((agency) => `${agency}:${ledger.stored(agency)}`).join(',');
  log.info('recuperar_estado', 'success', { almacenadas: stored || '-', finalizadas: finished.join(',') || '-' });
}

/**
 * Serves the protocol the socket's first bytes ask for: the lottery header, else the echo protocol. Resolves with the
 * session's connection once it starts (for shutdown to close it), or undefined when the socket ended first. The
 * connection's one idle clock runs from here: a peer that never sends its first bytes is idle too.
 */
function openSession(socket: net.Socket, parts: LotterySessionParts): Promise<Session | undefined> {
  return new Promise((resolve) => {
    const started = (conn: Connection<any, any>) => {
      // The protocol was chosen after shutdown began: no new work.
      if (parts.work.stopping) conn.destroy();
      resolve(conn);
    };
    const ip = remoteIp(socket);
    void serveRoutes(
      socket,
      { candidates: [lotteryRoute(socket, parts, started)], fallback: echoRoute(parts.log, parts.work, parts.idleTimeoutMs, started) },
      {
        idleTimeout: parts.idleTimeoutMs,
        closeTimeout: CLIENT_CLOSE_MS,
        // Ends before a protocol was chosen (the routes report their own): silence, another version, a broken socket.
        onEnd: (end) => {
          if (end.reason === 'idle') parts.log.info('timeout', 'fail', { ip, idle_ms: parts.idleTimeoutMs });
          logSessionEnd(parts.log, ip, end);
        },
      },
    ).then(() => resolve(undefined));
  });
}

const remoteIp = (socket: net.Socket): string => (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
