import { Transform, type TransformCallback } from 'node:stream';
import type { Codec } from '../codec.js';
import { CodecError } from '../errors.js';
import { FrameDecoder } from '../framing/frame-decoder.js';
import type { MessageType } from './message-type.js';
import { parseExactly } from './parse.js';
import { BufferWriter } from './writer.js';

export interface BinaryCodecOptions {
  /** Largest frame payload accepted when decoding, in bytes. */
  readonly maxFrameLength: number;
}

/** A codec of length-prefixed frames whose first payload byte is the message type tag. */
export interface BinaryCodec<M extends { readonly type: string }> extends Codec<M, M> {
  readonly maxFrameLength: number;
  /** Decodes one complete frame payload (type tag first) into its message. */
  decodeFrame(frame: Buffer): M;
}

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

  const decodeFrame = (frame: Buffer): M => {
    if (frame.length === 0) throw new CodecError('ERR_MALFORMED', `${name}: empty frame has no type tag`);
    const tag = frame[0]!;
    const messageType = byTag.get(tag);
    if (messageType === undefined) {
      throw new CodecError('ERR_UNKNOWN_TYPE', `${name}: unknown type tag 0x${tag.toString(16).padStart(2, '0')} in a ${frame.length}-byte frame`);
    }
    return messageType.fromParsed(parseExactly(messageType.parser, frame.subarray(1), `${name} ${messageType.type} message`));
  };

  const encode = (message: M): Buffer => {
    const messageType = byType.get(message.type);
    if (messageType === undefined) throw new CodecError('ERR_ENCODE', `${name}: no message type ${JSON.stringify(message.type)}`);
    const writer = new BufferWriter().u8(messageType.tag);
    messageType.write(writer, message);
    return writer.frame();
  };

  return {
    name,
    maxFrameLength: options.maxFrameLength,
    decodeFrame,
    encode,
    createDecoders: () => [new FrameDecoder({ maxFrameLength: options.maxFrameLength }), new MessageDecoder(decodeFrame)],
  };
}

/** Frames in, typed messages out; a frame that does not decode is an error on the stream. */
export class MessageDecoder<M> extends Transform {
  constructor(private readonly decodeFrame: (frame: Buffer) => M) {
    super({ objectMode: true });
  }

  override _transform(frame: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, this.decodeFrame(frame));
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** Messages in, frame bytes out. */
export class MessageEncoder<M> extends Transform {
  constructor(private readonly encodeMessage: (message: M) => Buffer) {
    super({ writableObjectMode: true });
  }

  override _transform(message: M, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, this.encodeMessage(message));
    } catch (error) {
      callback(error as Error);
    }
  }
}
