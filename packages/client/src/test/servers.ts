/** Real TCP servers on 127.0.0.1 for the client's tests, built on @tp0/codec's Connection and @tp0/protocol. */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { Connection, selectProtocol } from '@tp0/codec';
import { createLogger, parseLogLine, type CourseLogger, type ParsedLogLine } from '@tp0/common';
import { echoProtocol, ErrorCode, lotteryProtocol, type Bet, type LotteryMessage } from '@tp0/protocol';

export interface LotteryServerOptions {
  /** Never acknowledge batch number `n` (1-based): the client waits forever. */
  readonly holdBatch?: number;
  /** Reply an INVALID_BET error to batch number `n`. */
  readonly rejectBatch?: number;
  /** Reply an INVALID_BET error to single bets. */
  readonly rejectSingle?: boolean;
  /** Wait this long before each batch's ack: a slow server. */
  readonly ackDelayMs?: number;
  /** Listen on this port instead of a free one. */
  readonly port?: number;
}

export interface LotteryServer {
  readonly port: number;
  readonly batches: Bet[][];
  readonly single: Bet[];
  readonly events: string[];
  /** Resolves when `n` batches have arrived. */
  batchesReceived(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLotteryServer(options: LotteryServerOptions = {}): Promise<LotteryServer> {
  const batches: Bet[][] = [];
  const single: Bet[] = [];
  const events: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  async function reply(connection: Connection<LotteryMessage, LotteryMessage>, message: LotteryMessage): Promise<void> {
    events.push(message.type);
    switch (message.type) {
      case 'bet':
        single.push(message.bet);
        return connection.send(
          options.rejectSingle === true ? { type: 'error', code: ErrorCode.INVALID_BET, message: 'agency 5 is not expected' } : { type: 'ack', count: 1 },
        );
      case 'bet_batch': {
        batches.push([...message.bets]);
        for (const waiter of waiters.filter(w => w.n <= batches.length)) waiter.resolve();
        if (options.holdBatch === batches.length) return;
        if (options.rejectBatch === batches.length) {
          return connection.send({ type: 'error', code: ErrorCode.INVALID_BET, message: 'bet 3: document is not 1 to 16 digits' });
        }
        if (options.ackDelayMs !== undefined) await sleep(options.ackDelayMs);
        return connection.send({ type: 'ack', count: message.bets.length });
      }
      case 'finished':
        return connection.send({ type: 'ack', count: 0 });
      case 'winners_query': {
        const documents = batches.flat().filter(bet => bet.number === 7574).map(bet => bet.document);
        return connection.send({ type: 'winners', agency: message.agency, documents });
      }
      default:
        return connection.send({ type: 'error', code: ErrorCode.UNEXPECTED_MESSAGE, message: message.type });
    }
  }

  const { port, close } = await serve(options.port, async socket => {
    const protocol = await selectProtocol(socket, [lotteryProtocol], echoProtocol);
    if (protocol !== lotteryProtocol) throw new Error(`not a lottery client: ${protocol.name}`);
    const connection = new Connection<LotteryMessage, LotteryMessage>(socket, lotteryProtocol.codec);
    await lastValueFrom(connection.handle(message => reply(connection, message)), { defaultValue: undefined });
    await connection.close();
  });
  return {
    port,
    batches,
    single,
    events,
    batchesReceived: n => (batches.length >= n ? Promise.resolve() : new Promise(resolve => waiters.push({ n, resolve }))),
    close,
  };
}

/** A line echo server, as the course's exercise 1-4 server. */
export async function startEchoServer(): Promise<{ port: number; lines: string[]; close(): Promise<void> }> {
  const lines: string[] = [];
  const { port, close } = await serve(undefined, async socket => {
    const connection = new Connection<string, string>(socket, echoProtocol.codec);
    const echo = (line: string) => {
      lines.push(line);
      return connection.send(line);
    };
    await lastValueFrom(connection.handle(echo), { defaultValue: undefined });
    await connection.close();
  });
  return { port, lines, close };
}

/** Listens on 127.0.0.1 (`port`, or a free one); a session that fails destroys its socket; close() destroys all. */
async function serve(port: number | undefined, session: (socket: net.Socket) => Promise<void>): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    session(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}

/** A logger whose course lines the test can read back. */
export function captureLogger(): { log: CourseLogger; lines(): string[]; parsed(): ParsedLogLine[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const lines = () => text.split('\n').filter(Boolean);
  return {
    log: createLogger({ name: 'client', level: 'DEBUG', out }),
    lines,
    parsed: () => lines().map(line => parseLogLine(line)).filter(line => line !== null),
  };
}
