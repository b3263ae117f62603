import { CodecError } from '../errors.js';
import { LENGTH_PREFIX_BYTES } from '../framing/frame.js';

export const MAX_U8 = 0xff;
export const MAX_U16 = 0xffff;
export const MAX_U32 = 0xffff_ffff;
export const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** Longer strings go through Buffer's native UTF-8 code; shorter ones are cheaper in JS than a native call. */
const SHORT_STRING = 64;

/** A high surrogate at `i` followed by a low one: one code point, 4 bytes for 2 UTF-16 units. */
function isPair(value: string, i: number, c: number): boolean {
  return (c & 0xfc00) === 0xd800 && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
}

/** Thrown by a writer asked to grow past its bound (see FrameScratch). */
export class ScratchOverflow extends Error {}

let rewind: (writer: BufferWriter, maxBytes: number) => void;

/**
 * Writes one frame: reserves the u32 length prefix, takes chainable field writes, fills the length in `frame()`.
 * Every write is range-checked, so a bad value is a CodecError naming the field, never a silent wrap.
 */
export class BufferWriter {
  #buffer: Buffer;
  #offset = LENGTH_PREFIX_BYTES;
  #maxBytes = Infinity;

  static {
    rewind = (writer, maxBytes) => {
      writer.#offset = LENGTH_PREFIX_BYTES;
      writer.#maxBytes = maxBytes;
    };
  }

  /** `expectedBytes`: the frame's size when known (it then never grows), else a starting guess. */
  constructor(expectedBytes = 256) {
    this.#buffer = Buffer.allocUnsafe(Math.max(expectedBytes, LENGTH_PREFIX_BYTES + 16));
  }

  u8(value: number, field = 'u8'): this {
    checkUint(value, MAX_U8, field);
    this.#ensure(1);
    this.#buffer[this.#offset++] = value;
    return this;
  }

  u16(value: number, field = 'u16'): this {
    checkUint(value, MAX_U16, field);
    this.#ensure(2);
    const buffer = this.#buffer;
    const at = this.#offset;
    buffer[at] = value >>> 8;
    buffer[at + 1] = value;
    this.#offset = at + 2;
    return this;
  }

  u32(value: number, field = 'u32'): this {
    checkUint(value, MAX_U32, field);
    this.#ensure(4);
    this.#buffer.writeUInt32BE(value, this.#offset);
    this.#offset += 4;
    return this;
  }

  i8(value: number, field = 'i8'): this {
    checkInt(value, -0x80, 0x7f, field);
    this.#ensure(1);
    this.#buffer.writeInt8(value, this.#offset);
    this.#offset += 1;
    return this;
  }

  i16(value: number, field = 'i16'): this {
    checkInt(value, -0x8000, 0x7fff, field);
    this.#ensure(2);
    this.#buffer.writeInt16BE(value, this.#offset);
    this.#offset += 2;
    return this;
  }

  i32(value: number, field = 'i32'): this {
    checkInt(value, -0x8000_0000, 0x7fff_ffff, field);
    this.#ensure(4);
    this.#buffer.writeInt32BE(value, this.#offset);
    this.#offset += 4;
    return this;
  }

  u64(value: bigint, field = 'u64'): this {
    checkBigInt(value, 0n, MAX_U64, field);
    this.#ensure(8);
    this.#buffer.writeBigUInt64BE(value, this.#offset);
    this.#offset += 8;
    return this;
  }

  i64(value: bigint, field = 'i64'): this {
    checkBigInt(value, -(1n << 63n), (1n << 63n) - 1n, field);
    this.#ensure(8);
    this.#buffer.writeBigInt64BE(value, this.#offset);
    this.#offset += 8;
    return this;
  }

  /** An IEEE 754 double, big-endian (NaN and infinities included). */
  f64(value: number, field = 'f64'): this {
    if (typeof value !== 'number') throw new CodecError('ERR_ENCODE', `${field} must be a number, got ${typeof value}`);
    this.#ensure(8);
    this.#buffer.writeDoubleBE(value, this.#offset);
    this.#offset += 8;
    return this;
  }

  /** A u8 that is 1 for true and 0 for false. */
  bool(value: boolean, field = 'bool'): this {
    if (typeof value !== 'boolean') throw new CodecError('ERR_ENCODE', `${field} must be a boolean, got ${typeof value}`);
    return this.u8(value ? 1 : 0, field);
  }

  /** A UTF-8 string behind a u32 big-endian byte length. */
  str32(value: string, field = 'string'): this {
    if (typeof value !== 'string') throw new CodecError('ERR_ENCODE', `${field} must be a string, got ${typeof value}`);
    const length = Buffer.byteLength(value, 'utf8');
    this.#ensure(4 + length);
    this.#buffer.writeUInt32BE(length, this.#offset);
    this.#buffer.write(value, this.#offset + 4, length, 'utf8');
    this.#offset += 4 + length;
    return this;
  }

  /** Raw bytes behind a u16 or u32 big-endian length. */
  bytes(value: Uint8Array, prefix: 'u16' | 'u32', field = 'bytes'): this {
    if (!(value instanceof Uint8Array)) throw new CodecError('ERR_ENCODE', `${field} must be a Uint8Array or Buffer, got ${typeof value}`);
    this[prefix](value.length, `${field} length`);
    this.#ensure(value.length);
    this.#buffer.set(value, this.#offset);
    this.#offset += value.length;
    return this;
  }

  /** A UTF-8 string behind a u16 big-endian byte length. */
  str16(value: string, field = 'string'): this {
    if (typeof value !== 'string') throw new CodecError('ERR_ENCODE', `${field} must be a string, got ${typeof value}`);
    const units = value.length;
    if (units > SHORT_STRING) return this.#longStr16(value, field);
    // At most 3 bytes per UTF-16 unit, so at most 192 bytes: it fits the u16 prefix. Short of that room, the exact
    // length is made room for, so that a writer sized exactly never grows.
    if (this.#buffer.length - this.#offset < 2 + 3 * units) this.#ensure(2 + Buffer.byteLength(value, 'utf8'));
    const buffer = this.#buffer;
    const at = this.#offset;
    const length = writeShortUtf8(buffer, at + 2, value);
    buffer[at] = length >>> 8;
    buffer[at + 1] = length;
    this.#offset = at + 2 + length;
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

  #longStr16(value: string, field: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    if (length > MAX_U16) throw new CodecError('ERR_ENCODE', `${field} is ${length} bytes of UTF-8, over the u16 limit of ${MAX_U16}`);
    this.#ensure(2 + length);
    this.#buffer.writeUInt16BE(length, this.#offset);
    this.#buffer.write(value, this.#offset + 2, length, 'utf8');
    this.#offset += 2 + length;
    return this;
  }

  #ensure(bytes: number): void {
    const needed = this.#offset + bytes;
    if (needed <= this.#buffer.length) return;
    if (needed > this.#maxBytes) throw new ScratchOverflow(`a frame of more than ${this.#maxBytes} bytes`);
    const grown = Buffer.allocUnsafe(Math.min(Math.max(this.#buffer.length * 2, needed), this.#maxBytes));
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }
}

/** A scratch buffer larger than this is let go after use, not kept for the next frame. */
const KEPT_SCRATCH_BYTES = 1 << 16;

/**
 * A codec's reusable writer: each frame is written once, into the scratch, and copied out at its exact size. (Sizing
 * the frame first would walk every string twice.) It grows up to the frame's limit only: past it, a write throws
 * ScratchOverflow, so an oversized message costs no oversized buffer.
 */
export class FrameScratch {
  #writer: BufferWriter | undefined;

  /** Writes a frame of at most `maxBytes` (length prefix included) with `fill`; returns a copy of it. */
  write<A>(maxBytes: number, fill: (writer: BufferWriter, arg: A) => void, arg: A): Buffer {
    // Taken while in use: a fill that encodes another frame gets a writer of its own.
    const writer = this.#writer ?? new BufferWriter(Math.min(maxBytes, 4096));
    this.#writer = undefined;
    rewind(writer, maxBytes);
    fill(writer, arg);
    const view = writer.frame();
    const frame = Buffer.allocUnsafe(view.length);
    view.copy(frame, 0, 0, view.length);
    if (view.buffer.byteLength <= KEPT_SCRATCH_BYTES) this.#writer = writer;
    return frame;
  }
}

function checkInt(value: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CodecError('ERR_ENCODE', `${field} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function checkBigInt(value: bigint, min: bigint, max: bigint, field: string): void {
  if (typeof value !== 'bigint' || value < min || value > max) {
    throw new CodecError('ERR_ENCODE', `${field} must be a bigint from ${min} to ${max}, got ${typeof value === 'bigint' ? value : typeof value}`);
  }
}

function checkUint(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CodecError('ERR_ENCODE', `${field} must be an integer from 0 to ${max}, got ${value}`);
  }
}

/**
 * Writes a short string's UTF-8 at `at`, byte for byte what Buffer.write gives (a lone surrogate becomes U+FFFD,
 * EF BF BD), and returns its byte count. In JS: for a few dozen characters, cheaper than a native call.
 */
function writeShortUtf8(buffer: Buffer, start: number, value: string): number {
  let at = start;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      buffer[at++] = c;
    } else if (c < 0x800) {
      buffer[at++] = 0xc0 | (c >> 6);
      buffer[at++] = 0x80 | (c & 0x3f);
    } else if (isPair(value, i, c)) {
      c = 0x10000 + ((c - 0xd800) << 10) + (value.charCodeAt(++i) - 0xdc00);
      buffer[at++] = 0xf0 | (c >> 18);
      buffer[at++] = 0x80 | ((c >> 12) & 0x3f);
      buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[at++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) c = 0xfffd;
      buffer[at++] = 0xe0 | (c >> 12);
      buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at - start;
}
