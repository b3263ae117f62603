import type { Transform } from 'node:stream';

/**
 * A wire format: how bytes become messages and messages become bytes. Each connection gets fresh decoder stages.
 * `In` is what is read, `Out` what is written (the same type for symmetric protocols).
 */
export interface Codec<In, Out = In> {
  readonly name: string;
  /**
   * Type only, never set: names `In` in the structure, so that `new Connection(socket, codec)` infers the message
   * type (a type parameter used by no member infers as `unknown`).
   */
  readonly decodedType?: In;
  /**
   * Transforms from raw bytes to `In` messages, in order; the last one is in readable object mode. Stages report
   * a bad input in band, as a `DecodeFailure` after the messages before it (extend `DecoderStage` to get this).
   */
  createDecoders(): Transform[];
  /** The bytes of one message, framing included; throws a CodecError for a message the wire cannot carry. */
  encode(message: Out): Buffer;
  /**
   * One message from the bytes of exactly one (as `encode` gives them, framing included): for a transport that keeps
   * message boundaries itself (a broker, WebSocket, UDP). Throws a CodecError for anything but exactly one message.
   */
  decode(bytes: Uint8Array): In;
}
