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

/** A codec of length-prefixed frames whose first payload byte is the message type tag. */
export interface BinaryCodec<M extends { readonly type: string }> extends Codec<M, M> {
  readonly maxFrameLength: number;
  /** Decodes one complete frame payload (type tag first) into its message. */
  decodeFrame(payload: Buffer): M;
  /** Bytes `message` takes on the wire, length prefix included, without encoding it. */
  frameSize(message: M): number;
}

/** `u32 length | u8 tag | fields` frames for a set of message types (see `message`). */
export function binaryCodec<M extends { readonly type: string }>(
  name: string,
  types: ReadonlyArray<MessageType<M>>,
  options: BinaryCodecOptions,
): BinaryCodec<M> {
  const byTag = new Map<number, MessageType<M>>();
  const byType = new Map<string, MessageType<M>>();
  for (const messageType of types) {
    if (byTag.has(messageType.tag)) throw new Error(`${name}: type tag ${messageType.tag} is used twice`);
    if (byType.has(messageType.type)) throw new Error(`${name}: message type ${messageType.type} is defined twice`);
    byTag.set(messageType.tag, messageType);
    byType.set(messageType.type, messageType);
  }
  const limitOf = (messageType: MessageType<M>) => Math.min(options.maxFrameLength, messageType.maxFrameLength);
  const encodeLimitOf = (messageType: MessageType<M>) => Math.min(options.maxEncodeLength ?? options.maxFrameLength, messageType.maxFrameLength);

  const decodeFrame = (payload: Buffer): M => {
    if (payload.length === 0) throw new CodecError('ERR_MALFORMED', `${name}: empty frame has no type tag`);
    const tag = payload[0]!;
    const messageType = byTag.get(tag);
    if (messageType === undefined) {
      throw new CodecError('ERR_UNKNOWN_TYPE', `${name}: unknown type tag 0x${tag.toString(16).padStart(2, '0')} in a ${payload.length}-byte frame`);
    }
    if (payload.length > limitOf(messageType)) {
      throw new CodecError('ERR_FRAME_TOO_LONG', `${name}: ${messageType.type} frame of ${payload.length} bytes exceeds the maximum of ${limitOf(messageType)} bytes`);
    }
    try {
      return messageType.decode(payload.subarray(1));
    } catch (error) {
      if (error instanceof CodecError) error.message = `${name}: ${error.message}`;
      throw error;
    }
  };

  const typeOf = (message: M): MessageType<M> => {
    const messageType = byType.get(message?.type);
    if (messageType === undefined) throw new CodecError('ERR_ENCODE', `${name}: no message type ${JSON.stringify(message?.type)}`);
    return messageType;
  };

  const frameSize = (message: M): number => LENGTH_PREFIX_BYTES + 1 + typeOf(message).size(message);

  const scratch = new FrameScratch();
  const fill = (writer: BufferWriter, message: M) => {
    const messageType = typeOf(message);
    messageType.write(writer.u8(messageType.tag), message);
  };
  const tooLong = (messageType: MessageType<M>, payloadBytes: number) =>
    new CodecError('ERR_FRAME_TOO_LONG', `${name}: ${messageType.type} frame of ${payloadBytes} bytes exceeds the maximum of ${encodeLimitOf(messageType)} bytes`);

  // Written once into the scratch, then checked; the peer would reset a connection that sent a frame too long.
  const encode = (message: M): Buffer => {
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
    maxFrameLength: options.maxFrameLength,
    decodeFrame,
    frameSize,
    encode,
    // Views, not copies: the MessageDecoder decodes each frame into strings and numbers and keeps nothing of it.
    createDecoders: () => [new FrameDecoder({ maxFrameLength: options.maxFrameLength, copy: false }), new MessageDecoder(decodeFrame)],
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
