import type { Codec } from '../codec.js';
import { CodecError } from '../errors.js';
import { FrameDecoder } from '../framing/frame-decoder.js';
import { LENGTH_PREFIX_BYTES } from '../framing/frame.js';
import { DecoderStage, type Push } from '../stage.js';
import type { MessageType } from './message-type.js';
import { FrameScratch, ScratchOverflow, type BufferWriter } from './writer.js';

export interface BinaryCodecOptions {
  /** Largest frame payload (type tag included, length prefix not), checked when decoding and when encoding. */
  readonly maxFrameLength: number;
  /** Largest payload this side sends, when it differs from what it accepts (a server's large replies); default maxFrameLength. */
  readonly maxEncodeLength?: number;
}

/**
 * A codec of length-prefixed frames whose first payload byte is the message type tag. It reads `In` and writes
 * `Out`: the same union for a symmetric protocol, requests and responses for a two-way one (see `protocol`).
 */
export interface BinaryCodec<In extends { readonly type: string }, Out extends { readonly type: string } = In> extends Codec<In, Out> {
  readonly maxFrameLength: number;
  /** Decodes one complete frame payload (type tag first, no length prefix) into its message. */
  decodeFrame(payload: Buffer): In;
  /** Bytes `message` takes on the wire, length prefix included, without encoding it. */
  frameSize(message: Out): number;
}

/** `u32 length | u8 tag | fields` frames for a set of message types (see `message`), the same both ways. */
export function binaryCodec<M extends { readonly type: string }>(name: string, types: ReadonlyArray<MessageType<M>>, options: BinaryCodecOptions): BinaryCodec<M> {
  const index = indexTypes(name, types);
  return twoWayCodec<M, M>(name, index, index, { decode: options.maxFrameLength, encode: options.maxEncodeLength ?? options.maxFrameLength });
}

/** Message types by tag and by name, checked for clashes. */
export interface TypeIndex<M extends { readonly type: string }> {
  readonly byTag: ReadonlyMap<number, MessageType<M>>;
  readonly byType: ReadonlyMap<string, MessageType<M>>;
}

/** Indexes `types`; a tag or a name used twice throws, also against `others` (the other direction of a protocol). */
export function indexTypes<M extends { readonly type: string }>(name: string, types: ReadonlyArray<MessageType<M>>, others: ReadonlyArray<MessageType<any>> = []): TypeIndex<M> {
  const byTag = new Map<number, MessageType<M>>();
  const byType = new Map<string, MessageType<M>>();
  const otherTags = new Map(others.map(other => [other.tag, other.type]));
  const otherTypes = new Set(others.map(other => other.type));
  for (const messageType of types) {
    const { tag, type } = messageType;
    if (byTag.has(tag)) throw new Error(`${name}: type tag ${tag} is used twice`);
    if (byType.has(type)) throw new Error(`${name}: message type ${type} is defined twice`);
    if (otherTags.has(tag)) throw new Error(`${name}: type tag ${tag} of ${type} is also the tag of ${otherTags.get(tag)} in the other direction`);
    if (otherTypes.has(type)) throw new Error(`${name}: message type ${type} is declared in both directions`);
    byTag.set(tag, messageType);
    byType.set(type, messageType);
  }
  return { byTag, byType };
}

/** The codec that decodes `decoded`'s types and encodes `encoded`'s, each direction under its own payload limit. */
export function twoWayCodec<In extends { readonly type: string }, Out extends { readonly type: string }>(
  name: string,
  decoded: TypeIndex<In>,
  encoded: TypeIndex<Out>,
  limits: { readonly decode: number; readonly encode: number },
): BinaryCodec<In, Out> {
  const decodeLimitOf = (messageType: MessageType<In>) => Math.min(limits.decode, messageType.maxFrameLength);
  const encodeLimitOf = (messageType: MessageType<Out>) => Math.min(limits.encode, messageType.maxFrameLength);

  const decodeFrame = (payload: Buffer): In => {
    if (payload.length === 0) throw new CodecError('ERR_MALFORMED', `${name}: empty frame has no type tag`);
    const tag = payload[0]!;
    const messageType = decoded.byTag.get(tag);
    if (messageType === undefined) {
      throw new CodecError('ERR_UNKNOWN_TYPE', `${name}: unknown type tag 0x${tag.toString(16).padStart(2, '0')} in a ${payload.length}-byte frame`);
    }
    if (payload.length > decodeLimitOf(messageType)) {
      throw new CodecError('ERR_FRAME_TOO_LONG', `${name}: ${messageType.type} frame of ${payload.length} bytes exceeds the maximum of ${decodeLimitOf(messageType)} bytes`);
    }
    try {
      return messageType.decode(payload.subarray(1));
    } catch (error) {
      if (error instanceof CodecError) error.message = `${name}: ${error.message}`;
      throw error;
    }
  };

  // The single-message path, and the inverse of `encode`: the stream path's FrameDecoder does the same checks.
  const decode = (frame: Uint8Array): In => {
    const bytes = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length);
    if (bytes.length < LENGTH_PREFIX_BYTES) throw new CodecError('ERR_MALFORMED', `${name}: a ${bytes.length}-byte frame is shorter than its length prefix`);
    const length = bytes.readUInt32BE(0);
    if (length > limits.decode) throw new CodecError('ERR_FRAME_TOO_LONG', `${name}: frame length ${length} exceeds the maximum of ${limits.decode} bytes`);
    const held = bytes.length - LENGTH_PREFIX_BYTES;
    if (length > held) throw new CodecError('ERR_MALFORMED', `${name}: the length prefix says ${length} bytes, the frame holds ${held}`);
    if (length < held) throw new CodecError('ERR_TRAILING_BYTES', `${name}: ${held - length} bytes after the ${length}-byte frame`);
    return decodeFrame(bytes.subarray(LENGTH_PREFIX_BYTES));
  };

  const typeOf = (message: Out): MessageType<Out> => {
    const messageType = encoded.byType.get(message?.type);
    if (messageType === undefined) throw new CodecError('ERR_ENCODE', `${name}: no message type ${JSON.stringify(message?.type)}`);
    return messageType;
  };

  const frameSize = (message: Out): number => LENGTH_PREFIX_BYTES + 1 + typeOf(message).size(message);

  const scratch = new FrameScratch();
  const fill = (writer: BufferWriter, message: Out) => {
    const messageType = typeOf(message);
    messageType.write(writer.u8(messageType.tag), message);
  };
  const tooLong = (messageType: MessageType<Out>, payloadBytes: number) =>
    new CodecError('ERR_FRAME_TOO_LONG', `${name}: ${messageType.type} frame of ${payloadBytes} bytes exceeds the maximum of ${encodeLimitOf(messageType)} bytes`);

  // Written once into the scratch, then checked; the peer would reset a connection that sent a frame too long.
  const encode = (message: Out): Buffer => {
    const messageType = typeOf(message);
    const limit = encodeLimitOf(messageType);
    let frame: Buffer;
    try {
      frame = scratch.write(LENGTH_PREFIX_BYTES + limit, fill, message);
    } catch (error) {
      // As if the frame had been sized before anything was written: too long wins over a bad field after the limit.
      const payloadBytes = 1 + messageType.size(message);
      if (payloadBytes > limit) throw tooLong(messageType, payloadBytes);
      if (error instanceof ScratchOverflow) throw new CodecError('ERR_ENCODE', `${name}: ${messageType.type} wrote more than the ${payloadBytes} bytes its size() counts`);
      throw error;
    }
    if (frame.length - LENGTH_PREFIX_BYTES > limit) throw tooLong(messageType, frame.length - LENGTH_PREFIX_BYTES);
    return frame;
  };

  return {
    name,
    maxFrameLength: limits.decode,
    decode,
    decodeFrame,
    frameSize,
    encode,
    // Views, not copies: the MessageDecoder decodes each frame into strings and numbers and keeps nothing of it.
    createDecoders: () => [new FrameDecoder({ maxFrameLength: limits.decode, copy: false }), new MessageDecoder(decodeFrame)],
  };
}

/** Frames in, typed messages out. */
export class MessageDecoder<M> extends DecoderStage<Buffer, M> {
  constructor(private readonly decodeFrame: (payload: Buffer) => M) {
    super({ objectInput: true });
  }

  protected override decode(frame: Buffer, push: Push<M>): void {
    push(this.decodeFrame(frame));
  }
}
