/**
 * @tp0/codec — sockets as streams of typed messages, for TCP protocols.
 *
 * socket bytes → FrameDecoder (u32 length prefix; short reads solved once) → MessageDecoder (binary-parser, one
 * exact frame) → a demand-driven RxJS source → your handler, replies out in order. Protocols are declared once
 * (`protocol` with `message` + `fields`, or `binaryCodec`, `lineCodec`, your own `Codec`); `serve` runs a server that
 * bad input cannot crash, `RequestClient` pipelines requests. Test helpers are in `@tp0/codec/testing`.
 *
 * @example
 * const chat = protocol('chat', {
 *   requests: [message(0x01, 'say', fields().u16('room').str16('text'))],
 *   responses: [message(0x81, 'said', fields().str16('text')), message(0x82, 'oops', fields().str16('reason'))],
 * }, { maxFrameLength: 4096 });
 * serve(net.createServer({ allowHalfOpen: true }).listen(7000), chat.server, say => ({ type: 'said', text: say.text.toUpperCase() }), {
 *   onDecodeError: error => ({ type: 'oops', reason: error.message }),
 * });
 * const client = await RequestClient.connect(chat.client, { port: 7000 });
 * await client.request({ type: 'say', room: 1, text: 'hola' }); // { type: 'said', text: 'HOLA' }
 */
export { binaryCodec, MessageDecoder, type BinaryCodec, type BinaryCodecOptions } from './binary/binary-codec.js';
export { protocol, type BinaryProtocol, type ProtocolOptions, type RequestOf, type ResponseOf } from './binary/binary-protocol.js';
export { Fields, fields } from './binary/fields.js';
export { message, type Message, type MessageOf, type MessageOptions, type MessageType } from './binary/message-type.js';
export { utf8 } from './binary/utf8.js';
export { bool, bytes16, bytes32, enumOf, f64, i16, i32, i64, i8, list, mapped, oneOf, optional, str16, str32, u16, u32, u64, u8, union, type Mapping, type ValueOf, type VariantOf, type WireType } from './binary/wire-types.js';
export { BufferWriter, MAX_U16, MAX_U32, MAX_U8 } from './binary/writer.js';
export type { Codec } from './codec.js';
export { Connection, DEFAULT_WINDOW, type ConnectionOptions } from './connection.js';
export { CodecError, isCodecError, type CodecErrorCode } from './errors.js';
export { FrameDecoder, type FrameDecoderOptions } from './framing/frame-decoder.js';
export { encodeFrame, LENGTH_PREFIX_BYTES } from './framing/frame.js';
export { DEFAULT_MAX_LINE_BYTES, LineDecoder, lineCodec } from './line/line-codec.js';
export { detectProtocol, headerProtocol, type Detection, type Protocol, type SelectOptions, type Selection } from './protocol.js';
export { fromReadable, type DemandSource, type FromReadableOptions, type WorkOptions } from './rx/from-readable.js';
export { RequestClient, type ConnectOptions, type RequestClientOptions } from './client/request-client.js';
export { IdleClock } from './serve/idle-clock.js';
export { DEFAULT_IDLE_TIMEOUT_MS, route, serve, serveProtocols, serveRoutes, serveSocket, type Handler, type InOf, type OutOf, type Reply, type Route, type Routes, type Served, type ServeOptions, type SessionEnd, type SessionHooks } from './serve/serve.js';
export { DecodeFailure, DecoderStage, type Push } from './stage.js';
