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
 * Groups bets into batches of at most `maxAmount` bets whose frame stays within `maxFrameBytes`.
 * Pull-based (an async generator, not RxJS bufferCount): the next bet is read only when the consumer asks for
 * the next batch, i.e. after the previous batch was acknowledged, so a slow server pauses the file read.
 * Only the last batch, or one the byte budget closed early, holds fewer than maxAmount bets.
 */
export async function* batches<T extends BetFields>(bets: AsyncIterable<T>, limits: BatchLimits): AsyncGenerator<T[]> {
  const maxFrameBytes = limits.maxFrameBytes ?? MAX_BATCH_FRAME_BYTES;
  let batch: T[] = [];
  let frameBytes = BATCH_HEADER_BYTES;
  for await (const bet of bets) {
    const size = betWireSize(bet);
    if (BATCH_HEADER_BYTES + size > maxFrameBytes) {
      throw new RangeError(`a bet of ${size} bytes cannot fit in a ${maxFrameBytes}-byte batch frame`);
    }
    if (batch.length > 0 && frameBytes + size > maxFrameBytes) {
      yield batch;
      batch = [];
      frameBytes = BATCH_HEADER_BYTES;
    }
    batch.push(bet);
    frameBytes += size;
    if (batch.length >= limits.maxAmount) {
      yield batch;
      batch = [];
      frameBytes = BATCH_HEADER_BYTES;
    }
  }
  if (batch.length > 0) yield batch;
}
