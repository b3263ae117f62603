import net from 'node:net';
import { Connection } from '@tp0/codec';
import { clientCodec, LOTTERY_HEADER, type LotteryMessage } from '@tp0/protocol';
import type { ClientConfig } from './config.js';
import { sleep, untilAborted } from './shutdown.js';

export type LotteryConnection = Connection<LotteryMessage, LotteryMessage>;

/** Failures that mean "the server is not up yet": compose starts the server and its clients at the same time. */
const NOT_UP_YET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

/**
 * Opens a TCP connection, retrying a server that is not up yet with exponential backoff for `connectRetry` ms.
 * A shutdown during the wait or the connect ends it at once.
 */
export async function connect(config: Pick<ClientConfig, 'host' | 'port' | 'connectRetry'>, signal?: AbortSignal): Promise<net.Socket> {
  const deadline = Date.now() + config.connectRetry;
  for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
    try {
      return await connectOnce(config, signal);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined || !NOT_UP_YET.has(code) || Date.now() + delay > deadline) throw error;
      await sleep(delay, signal);
    }
  }
}

async function connectOnce(config: Pick<ClientConfig, 'host' | 'port'>, signal?: AbortSignal): Promise<net.Socket> {
  const socket = net.createConnection({ host: config.host, port: config.port });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  try {
    await untilAborted(connected, signal);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}

/** A connection speaking the lottery protocol: the 5-byte header first, then length-prefixed frames (clientCodec: winners replies may pass 8 KiB). */
export async function openLottery(config: Pick<ClientConfig, 'host' | 'port' | 'connectRetry'>, signal?: AbortSignal): Promise<LotteryConnection> {
  const socket = await connect(config, signal);
  socket.write(LOTTERY_HEADER);
  return new Connection<LotteryMessage, LotteryMessage>(socket, clientCodec());
}

/** Sends one message and waits for the reply; a shutdown cuts the wait short. */
export async function request(connection: LotteryConnection, message: LotteryMessage, signal?: AbortSignal): Promise<LotteryMessage> {
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
export function describeReply(reply: LotteryMessage): string {
  return reply.type === 'error' ? `server error ${reply.code}: ${reply.message}` : `unexpected reply ${reply.type}`;
}
