/**
 * @tp0/codec — sockets as streams of typed messages.
 *
 * bytes → FrameDecoder (u32 length prefix; short reads solved once) → MessageDecoder (binary-parser, one exact frame)
 * → Connection (pulled by an RxJS handler pipeline, so a slow handler pauses the socket) → send() back out.
 * Codecs are pluggable (`binaryCodec`, `lineCodec`), and one port can serve several protocols (`selectProtocol`).
 *
 * @example
 * const server = net.createServer({ allowHalfOpen: true }, async socket => {
 *   const protocol = await selectProtocol(socket, [lotteryProtocol], echoProtocol);
 *   const connection = new Connection(socket, protocol.codec);
 *   connection.handle(message => connection.send(message)).subscribe();
 * });
 */
export { binaryCodec, MessageDecoder, MessageEncoder, type BinaryCodec, type BinaryCodecOptions } from './binary/binary-codec.js';
export type { MessageType } from './binary/message-type.js';
export { END_OFFSET, parseExactly, utf8 } from './binary/parse.js';
export { BufferWriter } from './binary/writer.js';
export type { Codec } from './codec.js';
export { Connection } from './connection.js';
export { CodecError, isCodecError, type CodecErrorCode } from './errors.js';
export { FrameDecoder, type FrameDecoderOptions } from './framing/frame-decoder.js';
export { encodeFrame, FrameEncoder, LENGTH_PREFIX_BYTES } from './framing/frame-encoder.js';
export { echoProtocol } from './line/echo-protocol.js';
export { DEFAULT_MAX_LINE_BYTES, LineDecoder, lineCodec } from './line/line-codec.js';
export {
  batchFrameSize,
  LOTTERY_HEADER,
  LOTTERY_MAGIC,
  LOTTERY_VERSION,
  lotteryCodec,
  lotteryProtocol,
  MAX_BATCH_FRAME_BYTES,
  type LotteryCodecOptions,
} from './lottery/lottery-codec.js';
export { betWireSize, ErrorCode, lotteryMessageTypes, type LotteryMessage, type WireBet } from './lottery/messages.js';
export { headerProtocol, selectProtocol, type Detection, type Protocol, type SelectOptions } from './protocol.js';
