/** Real TCP servers on 127.0.0.1 for the client's tests, built on @tp0/codec's Connection and @tp0/protocol. */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { Connection, detectProtocol } from '@tp0/codec';
import { createLogger, parseLogLine, type CourseLogger, type ParsedLogLine } from '@tp0/common';
import { echoProtocol, ErrorCode, lotteryProtocol, type Bet, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';

export interface LotteryServerOptions {
  /** Answer nothing from batch number `n` (1-based, over all connections) on: a stuck server. Batches still arrive and are counted. */
  readonly holdBatch?: number;
  /** Reply an INVALID_BET error to batch number `n`. */
  readonly rejectBatch?: number;
  /** Reply an INVALID_BET error to single bets. */
  readonly rejectSingle?: boolean;
  /** Wait this long before each batch's ack: a slow server. */
  readonly ackDelayMs?: number;
  /** Listen on this port instead of a free one. */
  readonly port?: number;
  /** On each of the first `resets` connections (default 1), store `resetAfter` batches, then reset the connection without acking the last. */
  readonly resetAfter?: number;
  readonly resets?: number;
  /** The count each batch is acked with (default: its size). */
  readonly ackCount?: (size: number) => number;
  /** The agency named in the winners reply (default: the one asked for). */
  readonly winnersAgency?: number;
  /** An error code to answer hello number `n` (1-based, over all connections) with. */
  readonly helloErrors?: Readonly<Record<number, ErrorCode>>;
  /** Accept the connection but never answer hello (nor anything after it). */
  readonly silent?: boolean;
  /** Bets the server already holds for the agency when it starts. */
  readonly preStored?: readonly Bet[];
}

export interface LotteryServer {
  readonly port: number;
  /** Each batch as stored: the part of it that was new (empty for a resend). */
  readonly batches: Bet[][];
  /** Every bet stored, in order. */
  readonly stored: Bet[];
  /** The `first` of each bet_batch that arrived. */
  readonly firsts: number[];
  readonly single: Bet[];
  readonly events: string[];
  /** Connections accepted. */
  readonly connections: () => number;
  /** Resolves when `n` batches have arrived. */
  batchesReceived(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fake server with the protocol's resume semantics: hello → resume {stored, finished}; a batch is stored from
 * `stored` on (a resent part is acked, not stored again); `first` past `stored` is OUT_OF_ORDER; finished must
 * name the stored total. Faults as options.
 */
export async function startLotteryServer(options: LotteryServerOptions = {}): Promise<LotteryServer> {
  const batches: Bet[][] = [];
  const stored: Bet[] = [...(options.preStored ?? [])];
  const firsts: number[] = [];
  const single: Bet[] = [];
  const events: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let connections = 0;
  let hellos = 0;
  let finished = false;
  let arrived = 0;

  async function reply(connection: Connection<LotteryRequest, LotteryResponse>, socket: net.Socket, session: { batches: number; held: boolean; index: number }, message: LotteryRequest): Promise<void> {
    events.push(message.type);
    if (session.held && message.type !== 'bet_batch') return;
    switch (message.type) {
      case 'hello': {
        hellos++;
        const code = options.helloErrors?.[hellos];
        if (code !== undefined) return connection.send({ type: 'error', code, message: `hello ${hellos} refused` });
        if (options.silent === true) return void (session.held = true);
        return connection.send({ type: 'resume', agency: message.agency, stored: stored.length, finished: finished ? 1 : 0 });
      }
      case 'bet':
        single.push(message.bet);
        return connection.send(
          options.rejectSingle === true ? { type: 'error', code: ErrorCode.INVALID_BET, message: 'agency 5 is not expected' } : { type: 'ack', count: 1 },
        );
      case 'bet_batch': {
        arrived++;
        session.batches++;
        firsts.push(message.first);
        for (const waiter of waiters.filter(w => w.n <= arrived)) waiter.resolve();
        if (session.held) return;
        if (options.holdBatch !== undefined && arrived >= options.holdBatch) return void (session.held = true);
        if (options.rejectBatch === arrived) {
          return connection.send({ type: 'error', code: ErrorCode.INVALID_BET, message: 'bet 3: document is not 1 to 16 digits' });
        }
        if (message.first > stored.length) return connection.send({ type: 'error', code: ErrorCode.OUT_OF_ORDER, message: `first ${message.first} > stored ${stored.length}` });
        const fresh = message.bets.slice(stored.length - message.first);
        stored.push(...fresh);
        batches.push(fresh);
        if (options.resetAfter === session.batches && session.index <= (options.resets ?? 1)) {
          session.held = true;
          return void socket.resetAndDestroy();
        }
        if (options.ackDelayMs !== undefined) await sleep(options.ackDelayMs);
        return connection.send({ type: 'ack', count: options.ackCount?.(message.bets.length) ?? message.bets.length });
      }
      case 'finished':
        if (message.total !== stored.length) return connection.send({ type: 'error', code: ErrorCode.OUT_OF_ORDER, message: `total ${message.total} != stored ${stored.length}` });
        finished = true;
        return connection.send({ type: 'ack', count: 0 });
      case 'winners_query': {
        const documents = stored.filter(bet => bet.number === 7574).map(bet => bet.document);
        return connection.send({ type: 'winners', agency: options.winnersAgency ?? message.agency, documents });
      }
    }
  }

  const { port, close } = await serve(options.port, async socket => {
    const index = ++connections;
    const selection = await detectProtocol(socket, [lotteryProtocol], echoProtocol);
    if (selection.protocol !== lotteryProtocol) throw new Error(`not a lottery client: ${selection.protocol.name}`);
    const connection = new Connection<LotteryRequest, LotteryResponse>(socket, lotteryProtocol.codec, { selection });
    const session = { batches: 0, held: false, index };
    await lastValueFrom(connection.handle(message => reply(connection, socket, session, message)), { defaultValue: undefined });
    await connection.close();
  });
  return {
    port,
    batches,
    stored,
    firsts,
    single,
    events,
    connections: () => connections,
    batchesReceived: n => (arrived >= n ? Promise.resolve() : new Promise(resolve => waiters.push({ n, resolve }))),
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
export function captureLogger(): { log: CourseLogger; lines(): string[]; parsed(): ParsedLogLine[]; logged(pattern: RegExp): Promise<string> } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const lines = () => text.split('\n').filter(Boolean);
  return {
    log: createLogger({ name: 'client', level: 'DEBUG', out }),
    lines,
    parsed: () => lines().map(line => parseLogLine(line)).filter(line => line !== null),
    /** Resolves with the first line, logged so far or later, that matches `pattern`. */
    logged: pattern =>
      new Promise(resolve => {
        const match = () => lines().find(line => pattern.test(line));
        const found = match();
        if (found !== undefined) return resolve(found);
        const onData = () => {
          const line = match();
          if (line === undefined) return;
          out.off('data', onData);
          resolve(line);
        };
        out.on('data', onData);
      }),
  };
}
