import { Transform, type TransformCallback } from 'node:stream';
import { CodecError } from '../errors.js';

export const LENGTH_PREFIX_BYTES = 4;
const MAX_U32 = 0xffff_ffff;

/** Prefixes a payload with its u32 big-endian length. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_U32) throw new CodecError('ERR_ENCODE', `payload of ${payload.length} bytes does not fit a u32 length prefix`);
  const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, LENGTH_PREFIX_BYTES);
  return frame;
}

/** Payload buffers in, length-prefixed frames out: the inverse of FrameDecoder. */
export class FrameEncoder extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(payload: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, encodeFrame(payload));
    } catch (error) {
      callback(error as Error);
    }
  }
}
