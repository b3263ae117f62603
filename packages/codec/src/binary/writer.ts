import { CodecError } from '../errors.js';
import { LENGTH_PREFIX_BYTES } from '../framing/frame-encoder.js';

const MAX_U8 = 0xff;
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffff_ffff;

/**
 * Writes one frame: reserves the u32 length prefix, takes chainable field writes, fills the length in `frame()`.
 * binary-parser only decodes; each message type encodes with this, beside its parser.
 */
export class BufferWriter {
  #buffer: Buffer;
  #offset = LENGTH_PREFIX_BYTES;

  constructor(initialSize = 256) {
    this.#buffer = Buffer.allocUnsafe(Math.max(initialSize, LENGTH_PREFIX_BYTES + 16));
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
    const length = Buffer.byteLength(value, 'utf8');
    if (length > MAX_U16) throw new CodecError('ERR_ENCODE', `${field} is ${length} bytes of UTF-8, over the u16 limit of ${MAX_U16}`);
    this.#ensure(2 + length);
    this.#buffer.writeUInt16BE(length, this.#offset);
    this.#buffer.write(value, this.#offset + 2, length, 'utf8');
    this.#offset += 2 + length;
    return this;
  }

  /** The finished frame, length prefix included; the writer must not be used afterwards. */
  frame(): Buffer {
    this.#buffer.writeUInt32BE(this.#offset - LENGTH_PREFIX_BYTES, 0);
    return this.#buffer.subarray(0, this.#offset);
  }

  /** An unsigned big-endian integer of `bytes` bytes, range-checked so that a bad value never wraps silently. */
  #uint(value: number, bytes: number, max: number, field: string): this {
    checkUint(value, max, field);
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

function checkUint(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CodecError('ERR_ENCODE', `${field} must be an integer from 0 to ${max}, got ${value}`);
  }
}
