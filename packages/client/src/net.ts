import net from 'node:net';
import { Connection } from '@tp0/codec';
import { lottery, LOTTERY_HEADER, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';
import type { ClientConfig } from './config.js';
import { connectTimeout } from './failures.js';
import { sleep, untilAborted } from './shutdown.js';

export type LotteryConnection = Connection<LotteryResponse, LotteryRequest>;
type Endpoint = Pick<ClientConfig, 'host' | 'port' | 'connectTimeout'>;

/** Failures that mean "the server is not up yet": compose starts the server and its clients at the same time. */
const NOT_UP_YET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ERR_CONNECT_TIMEOUT']);
export const FIRST_RETRY_MS = 50;
export const MAX_RETRY_MS = 1000;

/** The wait before retry number `attempt` (1-based): 50 ms, doubling, at most 1 s. */
export function backoff(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 10), MAX_RETRY_MS);
}

/**
 * Opens a TCP connection, retrying a server that is not up yet with exponential backoff for `connectRetry` ms
 * (echo and bet modes; the agency retries whole sessions instead, see agency.ts). A shutdown ends it at once.
 */
export async function connect(config: Endpoint & Pick<ClientConfig, 'connectRetry'>, signal?: AbortSignal): Promise<net.Socket> {
  const deadline = Date.now() + config.connectRetry;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(config, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const delay = backoff(attempt);
      if (code === undefined || !NOT_UP_YET.has(code) || Date.now() + delay > deadline) throw error;
      await sleep(delay, signal);
    }
  }
}

/**
 * One TCP connect. A connect that the kernel lets hang (a lost SYN: ~2 min before ETIMEDOUT) fails after
 * `connectTimeout` with ERR_CONNECT_TIMEOUT instead. Nagle off: batches are pipelined (see send-bets.ts), and
 * the tail of one must not wait for the server's TCP ack of the previous.
 */
export async function connectOnce(config: Endpoint, signal?: AbortSignal): Promise<net.Socket> {
  const socket = net.createConnection({ host: config.host, port: config.port, noDelay: true });
  let timer: NodeJS.Timeout | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    timer = setTimeout(() => reject(connectTimeout(`${config.host}:${config.port}`, config.connectTimeout)), config.connectTimeout);
  });
  try {
    await untilAborted(connected, signal);
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return socket;
}

/** A connection speaking the lottery protocol: the 5-byte header first, then length-prefixed frames (lottery.client: winners replies may pass 8 KiB). */
export function lotteryConnection(socket: net.Socket): LotteryConnection {
  socket.write(LOTTERY_HEADER);
  return new Connection<LotteryResponse, LotteryRequest>(socket, lottery.client);
}

/** Connects (retrying a server not up yet) and speaks the lottery protocol: the single-bet mode. */
export async function openLottery(config: Endpoint & Pick<ClientConfig, 'connectRetry'>, signal?: AbortSignal): Promise<LotteryConnection> {
  return lotteryConnection(await connect(config, signal));
}

/** Sends one message and waits for the reply; a shutdown cuts the wait short. */
export async function request(connection: LotteryConnection, message: LotteryRequest, signal?: AbortSignal): Promise<LotteryResponse> {
  await untilAborted(connection.send(message), signal);
  return untilAborted(connection.receive(), signal);
}

/** "ERR_..." / error code and message of a failure, for a log field. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The text of an `error` reply, or of an unexpected one. */
export function describeReply(reply: LotteryResponse): string {
  return reply.type === 'error' ? `server error ${reply.code}: ${reply.message}` : `unexpected reply ${reply.type}`;
}
