import net from 'node:net';
import { Connection, LOTTERY_HEADER, lotteryCodec, type LotteryMessage, type WireBet } from '@tp0/codec';

export type LotteryClient = Connection<LotteryMessage, LotteryMessage>;

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A client speaking the lottery protocol: header first, then frames. */
export async function lotteryClient(port: number): Promise<{ socket: net.Socket; conn: LotteryClient }> {
  const socket = await connect(port);
  socket.write(LOTTERY_HEADER);
  return { socket, conn: new Connection(socket, lotteryCodec({ maxFrameLength: 4 << 20 })) };
}

/** Sends `message` and returns the next reply. */
export async function request(conn: LotteryClient, message: LotteryMessage): Promise<LotteryMessage> {
  await conn.send(message);
  return conn.receive();
}

/** Writes raw bytes and collects everything the server sends until it closes the connection. */
export async function rawExchange(port: number, bytes: Buffer): Promise<{ reply: Buffer; closed: boolean }> {
  const socket = await connect(port);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    // The server ending its side (FIN) is what counts; this half-open socket would not 'close' by itself.
    socket.once('end', () => (clearTimeout(timer), resolve(true)));
    socket.once('close', () => (clearTimeout(timer), resolve(true)));
  });
  socket.on('error', () => {});
  socket.write(bytes);
  const done = await closed;
  socket.destroy();
  return { reply: Buffer.concat(chunks), closed: done };
}

/** Decodes the lottery frames in `bytes` (u32 BE length, then payload). */
export function decodeFrames(bytes: Buffer): LotteryMessage[] {
  const codec = lotteryCodec({ maxFrameLength: 4 << 20 });
  const out: LotteryMessage[] = [];
  let offset = 0;
  while (offset + 4 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    out.push(codec.decodeFrame(bytes.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return out;
}

export function wireBet(document: string, number: number, patch: Partial<WireBet> = {}): WireBet {
  return { firstName: 'Belén', lastName: 'Sánchez', document, birthdate: '1999-03-17', number, ...patch };
}

export function until<T>(what: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = what();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(poll, 10);
    };
    poll();
  });
}
