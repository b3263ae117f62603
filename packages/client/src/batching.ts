import { batchFrameSize, betWireSize, MAX_BATCH_FRAME_BYTES } from '@tp0/codec';
import type { BetFields } from '@tp0/common';

/** bet_batch frame bytes besides its bets (u32 length + u8 type + u16 agency + u16 count = 9). */
const BATCH_HEADER_BYTES = batchFrameSize([]);

export interface BatchLimits {
  /** Most bets in one batch (batch.maxAmount). */
  readonly maxAmount: number;
  /** Most bytes of one bet_batch frame on the wire. */
  readonly maxFrameBytes?: number;
}

/**
 * Fills one batch at a time, synchronously: at most `maxAmount` bets whose frame stays within `maxFrameBytes`.
 * Only the last batch, or one the byte budget closed early, holds fewer than maxAmount bets.
 */
export class BatchBuilder<T extends BetFields> {
  readonly #maxAmount: number;
  readonly #maxFrameBytes: number;
  #batch: T[] = [];
  #frameBytes = BATCH_HEADER_BYTES;

  constructor(limits: BatchLimits) {
    this.#maxAmount = limits.maxAmount;
    this.#maxFrameBytes = limits.maxFrameBytes ?? MAX_BATCH_FRAME_BYTES;
  }

  /** Adds a bet; returns the previous batch when the byte budget closed it (the bet then starts the next one). */
  add(bet: T): T[] | undefined {
    const size = betWireSize(bet);
    if (BATCH_HEADER_BYTES + size > this.#maxFrameBytes) {
      throw new RangeError(`a bet of ${size} bytes cannot fit in a ${this.#maxFrameBytes}-byte batch frame`);
    }
    let closed: T[] | undefined;
    if (this.#batch.length > 0 && this.#frameBytes + size > this.#maxFrameBytes) closed = this.take();
    this.#batch.push(bet);
    this.#frameBytes += size;
    return closed;
  }

  /** The batch holds maxAmount bets: take() it now. */
  get full(): boolean {
    return this.#batch.length >= this.#maxAmount;
  }

  get empty(): boolean {
    return this.#batch.length === 0;
  }

  take(): T[] {
    const batch = this.#batch;
    this.#batch = [];
    this.#frameBytes = BATCH_HEADER_BYTES;
    return batch;
  }
}

/**
 * Groups bets into batches (see BatchBuilder). Pull-based (an async generator, not RxJS bufferCount): the next bet
 * is read only when the consumer asks for the next batch, i.e. after the previous batch was acknowledged.
 * The agency uses readBatches (csv-source.ts), which fills whole batches without an await per bet.
 */
export async function* batches<T extends BetFields>(bets: AsyncIterable<T>, limits: BatchLimits): AsyncGenerator<T[]> {
  const builder = new BatchBuilder<T>(limits);
  for await (const bet of bets) {
    const closed = builder.add(bet);
    if (closed !== undefined) yield closed;
    if (builder.full) yield builder.take();
  }
  if (!builder.empty) yield builder.take();
}
