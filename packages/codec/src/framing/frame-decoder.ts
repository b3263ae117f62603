import { CodecError } from '../errors.js';
import { DecoderStage, type Push } from '../stage.js';
import { LENGTH_PREFIX_BYTES } from './frame.js';

export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes (the 4-byte length prefix not included). */
  readonly maxFrameLength: number;
  /**
   * Emit a frame that arrives whole in one chunk as a copy, safe to keep whatever happens to the chunk (default), or,
   * with false, as a view of the chunk: no allocation, for a next stage that decodes each frame at once and keeps
   * nothing of it (binaryCodec's does), over chunks that are never reused (a socket's are not).
   */
  readonly copy?: boolean;
}

/**
 * Bytes in, one Buffer per frame out, for frames of `u32 big-endian payload length | payload`.
 * Solves short reads once: a frame or its length prefix may arrive split over any number of chunks,
 * and one chunk may hold many frames. Each emitted frame is a copy, safe to keep (a frame split across chunks is
 * assembled into a buffer of its own), unless `copy: false` asks for views of whole frames.
 */
export class FrameDecoder extends DecoderStage<Buffer, Buffer> {
  readonly #maxFrameLength: number;
  readonly #copy: boolean;
  /** The length prefix being assembled across chunks, and how many of its bytes arrived. */
  readonly #prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  #prefixBytes = 0;
  /** The frame being assembled across chunks, once its prefix is complete, and how many of its bytes arrived. */
  #frame: Buffer | undefined;
  #frameBytes = 0;

  constructor(options: FrameDecoderOptions) {
    super({ objectInput: false });
    if (!Number.isInteger(options.maxFrameLength) || options.maxFrameLength < 0) {
      throw new RangeError(`maxFrameLength must be a non-negative integer, got ${options.maxFrameLength}`);
    }
    this.#maxFrameLength = options.maxFrameLength;
    this.#copy = options.copy ?? true;
  }

  protected override decode(chunk: Buffer, push: Push<Buffer>): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#prefixBytes > 0 || chunk.length - at < LENGTH_PREFIX_BYTES) {
        at = this.#assemble(chunk, at, push);
        continue;
      }
      const end = at + LENGTH_PREFIX_BYTES + this.#checked(chunk.readUInt32BE(at));
      if (end > chunk.length) {
        at = this.#assemble(chunk, at, push);
        continue;
      }
      const frame = chunk.subarray(at + LENGTH_PREFIX_BYTES, end);
      push(this.#copy ? Buffer.from(frame) : frame);
      at = end;
    }
  }

  protected override finish(): void {
    if (this.#prefixBytes === 0) return;
    const [expected, bytes] = this.#frame === undefined ? ['a 4-byte length prefix', this.#prefixBytes] : [`a ${this.#frame.length}-byte frame`, this.#frameBytes];
    throw new CodecError('ERR_UNEXPECTED_EOF', `connection ended after ${bytes} bytes of ${expected}`);
  }

  // Checked before buffering anything of the frame: a hostile prefix must not cost an allocation.
  #checked(length: number): number {
    if (length > this.#maxFrameLength) {
      throw new CodecError('ERR_FRAME_TOO_LONG', `frame length ${length} exceeds the maximum of ${this.#maxFrameLength} bytes`);
    }
    return length;
  }

  /** Takes bytes of a prefix or frame split across chunks from `chunk` at `at`; returns where it stopped. */
  #assemble(chunk: Buffer, at: number, push: Push<Buffer>): number {
    if (this.#frame === undefined) {
      const taken = chunk.copy(this.#prefix, this.#prefixBytes, at, Math.min(chunk.length, at + LENGTH_PREFIX_BYTES - this.#prefixBytes));
      this.#prefixBytes += taken;
      at += taken;
      if (this.#prefixBytes < LENGTH_PREFIX_BYTES) return at;
      this.#frame = Buffer.allocUnsafe(this.#checked(this.#prefix.readUInt32BE(0)));
      this.#frameBytes = 0;
    }
    const frame = this.#frame;
    const taken = chunk.copy(frame, this.#frameBytes, at, Math.min(chunk.length, at + frame.length - this.#frameBytes));
    this.#frameBytes += taken;
    if (this.#frameBytes === frame.length) {
      this.#frame = undefined;
      this.#prefixBytes = 0;
      push(frame);
    }
    return at + taken;
  }
}
