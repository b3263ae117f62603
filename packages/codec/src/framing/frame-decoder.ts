import { CodecError } from '../errors.js';
import { DecoderStage, type Push } from '../stage.js';
import { LENGTH_PREFIX_BYTES } from './frame.js';

export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes (the 4-byte length prefix not included). */
  readonly maxFrameLength: number;
}

/**
 * Bytes in, one Buffer per frame out, for frames of `u32 big-endian payload length | payload`.
 * Solves short reads once: a frame or its length prefix may arrive split over any number of chunks,
 * and one chunk may hold many frames. Each emitted frame is a copy, safe to keep.
 */
export class FrameDecoder extends DecoderStage<Buffer, Buffer> {
  readonly #maxFrameLength: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Payload length of the frame being assembled, once its prefix is complete. */
  #frameLength = -1;

  constructor(options: FrameDecoderOptions) {
    super({ objectInput: false });
    if (!Number.isInteger(options.maxFrameLength) || options.maxFrameLength < 0) {
      throw new RangeError(`maxFrameLength must be a non-negative integer, got ${options.maxFrameLength}`);
    }
    this.#maxFrameLength = options.maxFrameLength;
  }

  protected override decode(chunk: Buffer, push: Push<Buffer>): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    for (;;) {
      if (this.#frameLength < 0) {
        if (this.#pendingBytes < LENGTH_PREFIX_BYTES) return;
        const length = this.#take(LENGTH_PREFIX_BYTES).readUInt32BE(0);
        // Checked before buffering anything of the frame: a hostile prefix must not cost an allocation.
        if (length > this.#maxFrameLength) {
          throw new CodecError('ERR_FRAME_TOO_LONG', `frame length ${length} exceeds the maximum of ${this.#maxFrameLength} bytes`);
        }
        this.#frameLength = length;
      }
      if (this.#pendingBytes < this.#frameLength) return;
      const frame = this.#take(this.#frameLength);
      this.#frameLength = -1;
      push(frame);
    }
  }

  protected override finish(): void {
    if (this.#pendingBytes === 0 && this.#frameLength < 0) return;
    const expected = this.#frameLength < 0 ? 'a 4-byte length prefix' : `a ${this.#frameLength}-byte frame`;
    throw new CodecError('ERR_UNEXPECTED_EOF', `connection ended after ${this.#pendingBytes} bytes of ${expected}`);
  }

  /** Removes and returns the first `n` pending bytes as a buffer of its own. */
  #take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#pending[0]!;
      const used = head.copy(out, filled, 0, Math.min(head.length, n - filled));
      filled += used;
      if (used === head.length) this.#pending.shift();
      else this.#pending[0] = head.subarray(used);
    }
    this.#pendingBytes -= n;
    return out;
  }
}
