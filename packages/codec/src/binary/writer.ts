import { CodecError } from '../errors.js';
import { LENGTH_PREFIX_BYTES } from '../framing/frame.js';

export const MAX_U8 = 0xff;
export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffff_ffff;

/**
 * Writes one frame: reserves the u32 length prefix, takes chainable field writes, fills the length in `frame()`.
 * Every write is range-checked, so a bad value is a CodecError naming the field, never a silent wrap.
 */
export class BufferWriter {
  #buffer: Buffer;
  #offset = LENGTH_PREFIX_BYTES;

  /** `expectedBytes`: the frame's size when known (it then never grows), else a starting guess. */
  constructor(expectedBytes = 256) {
    this.#buffer = Buffer.allocUnsafe(Math.max(expectedBytes, LENGTH_PREFIX_BYTES + 16));
  }

  u8(value: number, field = 'u8'): this {
    return this.#uint(value, 1, MAX_U8, field);
  }

  u16(value: number, field = 'u16'): this {
    return this.#uint(value, 2, MAX_U16, field);
  }

  u32(value: number, field = 'u32'): this {
    return this.#uint(value, 4, MAX_U32, field);
  }

  /** A UTF-8 string behind a u16 big-endian byte length. */
  str16(value: string, field = 'string'): this {
    if (typeof value !== 'string') throw new CodecError('ERR_ENCODE', `${field} must be a string, got ${typeof value}`);
    const length = Buffer.byteLength(value, 'utf8');
    if (length > MAX_U16) throw new CodecError('ERR_ENCODE', `${field} is ${length} bytes of UTF-8, over the u16 limit of ${MAX_U16}`);
    this.#ensure(2 + length);
    this.#buffer.writeUInt16BE(length, this.#offset);
    this.#buffer.write(value, this.#offset + 2, length, 'utf8');
    this.#offset += 2 + length;
    return this;
  }

  /** Bytes written so far, length prefix included. */
  get length(): number {
    return this.#offset;
  }

  /** The finished frame, length prefix included; the writer must not be used afterwards. */
  frame(): Buffer {
    this.#buffer.writeUInt32BE(this.#offset - LENGTH_PREFIX_BYTES, 0);
    return this.#buffer.subarray(0, this.#offset);
  }

  #uint(value: number, bytes: number, max: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new CodecError('ERR_ENCODE', `${field} must be an integer from 0 to ${max}, got ${value}`);
    }
    this.#ensure(bytes);
    this.#buffer.writeUIntBE(value, this.#offset, bytes);
    this.#offset += bytes;
    return this;
  }

  #ensure(bytes: number): void {
    if (this.#offset + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#offset + bytes));
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }
}
