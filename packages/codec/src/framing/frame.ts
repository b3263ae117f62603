import { CodecError } from '../errors.js';

/** Bytes of the u32 big-endian length prefix in front of every frame. */
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
