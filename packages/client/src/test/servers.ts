/** Real TCP servers on 127.0.0.1 for the client's tests, built from @tp0/codec. */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { Connection, echoProtocol, ErrorCode, lotteryProtocol, selectProtocol, type LotteryMessage, type WireBet } from '@tp0/codec';
import { createLogger, parseLogLine, type CourseLogger, type ParsedLogLine } from '@tp0/common';

export interface LotteryServerOptions {
  /** Never acknowledge batch number `n` (1-based): the client waits forever. */
  readonly holdBatch?: number;
  /** Reply an INVALID_BET error to batch number `n`. */
  readonly rejectBatch?: number;
  /** Reply an INVALID_BET error to single bets. */
  readonly rejectSingle?: boolean;
  /** Listen on this port instead of a free one. */
  readonly port?: number;
}

export interface LotteryServer {
  readonly port: number;
  readonly batches: WireBet[][];
  readonly single: WireBet[];
  readonly events: string[];
  /** Resolves when `n` batches have arrived. */
  batchesReceived(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLotteryServer(options: LotteryServerOptions = {}): Promise<LotteryServer> {
  const batches: WireBet[][] = [];
  const single: WireBet[] = [];
  const events: string[] = [];
  const sockets = new Set<net.Socket>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = net.createServer({ allowHalfOpen: true }, async socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    try {
      const protocol = await selectProtocol(socket, [lotteryProtocol], echoProtocol);
      const connection = new Connection<LotteryMessage, LotteryMessage>(socket, protocol.codec);
      for await (const message of connection.messages()) {
        events.push(message.type);
        switch (message.type) {
          case 'bet':
            single.push(message.bet);
            await connection.send(
              options.rejectSingle === true ? { type: 'error', code: ErrorCode.INVALID_BET, message: 'agency 5 is not expected' } : { type: 'ack', count: 1 },
            );
            break;
          case 'bet_batch': {
            batches.push([...message.bets]);
            for (const waiter of waiters.filter(w => w.n <= batches.length)) waiter.resolve();
            if (options.holdBatch === batches.length) break;
            if (options.rejectBatch === batches.length) {
              await connection.send({ type: 'error', code: ErrorCode.INVALID_BET, message: 'bet 3: document is not 1 to 16 digits' });
              break;
            }
            await connection.send({ type: 'ack', count: message.bets.length });
            break;
          }
          case 'finished':
            await connection.send({ type: 'ack', count: 0 });
            break;
          case 'winners_query': {
            const documents = batches.flat().filter(bet => bet.number === 7574).map(bet => bet.document);
            await connection.send({ type: 'winners', agency: message.agency, documents });
            break;
          }
          default:
            await connection.send({ type: 'error', code: ErrorCode.UNEXPECTED_MESSAGE, message: message.type });
        }
      }
      await connection.close();
    } catch {
      socket.destroy();
    }
  });
  const port = await listen(server, options.port);
  return {
    port,
    batches,
    single,
    events,
    batchesReceived: n =>
      batches.length >= n ? Promise.resolve() : new Promise(resolve => waiters.push({ n, resolve })),
    close: () => closeServer(server, sockets),
  };
}

/** A line echo server, as the course's exercise 1-4 server. */
export async function startEchoServer(): Promise<{ port: number; lines: string[]; close(): Promise<void> }> {
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, async socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection = new Connection<string, string>(socket, echoProtocol.codec);
    try {
      for await (const line of connection.messages()) {
        lines.push(line);
        await connection.send(line);
      }
      await connection.close();
    } catch {
      socket.destroy();
    }
  });
  const port = await listen(server);
  return { port, lines, close: () => closeServer(server, sockets) };
}

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise(resolve => server.close(() => resolve()));
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
