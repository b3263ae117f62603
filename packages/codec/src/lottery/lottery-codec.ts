import { binaryCodec, type BinaryCodec } from '../binary/binary-codec.js';
import { CodecError } from '../errors.js';
import { LENGTH_PREFIX_BYTES } from '../framing/frame-encoder.js';
import { headerProtocol } from '../protocol.js';
import { betWireSize, lotteryMessageTypes, type LotteryMessage, type WireBet } from './messages.js';

/** A bet-batch frame never exceeds this many bytes on the wire, length prefix included. */
export const MAX_BATCH_FRAME_BYTES = 8192;

export const LOTTERY_MAGIC = Buffer.from('TP0L', 'ascii');
export const LOTTERY_VERSION = 1;
/** Sent once by the client when it connects, before any frame. */
export const LOTTERY_HEADER = Buffer.concat([LOTTERY_MAGIC, Buffer.of(LOTTERY_VERSION)]);

/** 1 type tag + 2 agency + 2 count. */
const BATCH_HEADER_BYTES = 5;

/** Bytes of a `bet_batch` frame holding `bets`, length prefix included. */
export function batchFrameSize(bets: readonly WireBet[]): number {
  return bets.reduce((total, bet) => total + betWireSize(bet), LENGTH_PREFIX_BYTES + BATCH_HEADER_BYTES);
}

export interface LotteryCodecOptions {
  /** Largest frame payload accepted when decoding; the server keeps the default, a client raises it for large winners replies. */
  readonly maxFrameLength?: number;
}

export function lotteryCodec(options: LotteryCodecOptions = {}): BinaryCodec<LotteryMessage> {
  const codec = binaryCodec<LotteryMessage>('lottery', lotteryMessageTypes, {
    maxFrameLength: options.maxFrameLength ?? MAX_BATCH_FRAME_BYTES - LENGTH_PREFIX_BYTES,
  });
  return {
    ...codec,
    encode(message) {
      const frame = codec.encode(message);
      if ((message.type === 'bet_batch' || message.type === 'bet') && frame.length > MAX_BATCH_FRAME_BYTES) {
        throw new CodecError('ERR_ENCODE', `a ${message.type} frame of ${frame.length} bytes exceeds the ${MAX_BATCH_FRAME_BYTES}-byte limit`);
      }
      return frame;
    },
  };
}

/** The lottery protocol as the server recognises it on a shared port. */
export const lotteryProtocol = headerProtocol<LotteryMessage, LotteryMessage>('lottery', LOTTERY_MAGIC, LOTTERY_VERSION, lotteryCodec());
