import net from 'node:net';
import { Connection, LOTTERY_HEADER, lotteryCodec, type LotteryMessage } from '@tp0/codec';
import type { ClientConfig } from './config.js';
import { untilAborted } from './shutdown.js';

/** A winners reply lists every winning document of the agency: far above the server's 8 KiB request limit. */
export const CLIENT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export type LotteryConnection = Connection<LotteryMessage, LotteryMessage>;

/** Opens a TCP connection; a shutdown during the connect destroys the socket. */
export async function connect(config: Pick<ClientConfig, 'host' | 'port'>, signal?: AbortSignal): Promise<net.Socket> {
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

/** A connection speaking the lottery protocol: the 5-byte header first, then length-prefixed frames. */
export async function openLottery(config: Pick<ClientConfig, 'host' | 'port'>, signal?: AbortSignal): Promise<LotteryConnection> {
  const socket = await connect(config, signal);
  socket.write(LOTTERY_HEADER);
  return new Connection<LotteryMessage, LotteryMessage>(socket, lotteryCodec({ maxFrameLength: CLIENT_MAX_FRAME_BYTES }));
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
