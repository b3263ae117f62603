/** Lottery-specific client helpers; plain sockets come from @tp0/codec/testing. */
import { Connection, encodeFrame } from '@tp0/codec';
import { connectLocal, decodeChunks, readUntilClosed } from '@tp0/codec/testing';
import { lottery, LOTTERY_HEADER, type Bet, type LotteryRequest, type LotteryResponse } from '@tp0/protocol';

export type LotteryClient = Connection<LotteryResponse, LotteryRequest>;

/** An agency's connection: the lottery header first, then frames through the client codec. */
export async function lotteryClient(port: number): Promise<LotteryClient> {
  const socket = await connectLocal(port);
  socket.write(LOTTERY_HEADER);
  return new Connection(socket, lottery.client);
}

/** Sends `message` and returns the next reply. */
export async function request(conn: LotteryClient, message: LotteryRequest): Promise<LotteryResponse> {
  await conn.send(message);
  return conn.receive();
}

/** Writes `bytes` in one write, then collects everything the server sends until the connection closes. */
export async function rawExchange(port: number, bytes: Buffer): Promise<{ reply: Buffer; endedByServer: boolean }> {
  const socket = await connectLocal(port);
  let endedByServer = false;
  // 'end' is the server's FIN; a reset or the read timeout closes the socket without it.
  socket.once('end', () => (endedByServer = true));
  socket.on('error', () => {});
  socket.write(bytes);
  const reply = await readUntilClosed(socket);
  return { reply, endedByServer };
}

/** `messages` as lottery frames, back to back. */
export function lotteryFrames(messages: readonly LotteryRequest[]): Buffer {
  return Buffer.concat(messages.map((m) => lottery.client.encode(m)));
}

/** A frame whose type tag names no lottery message. */
export const UNKNOWN_TYPE_FRAME = encodeFrame(Buffer.from([0xee, 1, 2]));

/** The lottery messages in `bytes`, decoded as a client does; throws when the bytes are not whole frames. */
export async function decodeReplies(bytes: Buffer): Promise<LotteryResponse[]> {
  const { messages, error } = await decodeChunks<LotteryResponse>(lottery.client.createDecoders(), [bytes]);
  if (error !== undefined) throw error;
  return messages;
}

/** A valid bet with `document` and `number`; `patch` changes any field. */
export function sampleBet(document: string, number: number, patch: Partial<Bet> = {}): Bet {
  return { firstName: 'Belén', lastName: 'Sánchez', document, birthdate: '1999-03-17', number, ...patch };
}
