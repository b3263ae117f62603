import { bufferCount, concatMap, pipe, type OperatorFunction } from 'rxjs';
import { batchFrameSize, MAX_BATCH_FRAME_BYTES, type Bet } from '@tp0/protocol';

/** bet_batch frame bytes besides its bets: u32 length + u8 type + u16 agency + u32 first + u16 count = 13. */
const EMPTY_BATCH_BYTES = batchFrameSize([]);

/**
 * Bets → batches of at most `maxAmount` bets (`bufferCount`) whose bet_batch frame stays within
 * MAX_BATCH_FRAME_BYTES: a batch over that budget (long UTF-8 names) is cut into consecutive batches, each as full
 * as the budget allows. When every batch of maxAmount fits (course data at the default 134), only the last batch is
 * smaller. bufferCount holds up to maxAmount bets before it emits: a demand-driven source above it must let at
 * least that many be outstanding.
 */
export function frameBatches(maxAmount: number): OperatorFunction<Bet, Bet[]> {
  return pipe(bufferCount(maxAmount), concatMap(fitFrames));
}

/**
 * `batch` itself when its frame fits (one size computation), else cut greedily. Every valid bet fits on its own:
 * betProblem caps names at 255 bytes and documents at 16 digits, 546 bytes per bet at most.
 */
function fitFrames(batch: Bet[]): Bet[][] {
  if (batchFrameSize(batch) <= MAX_BATCH_FRAME_BYTES) return [batch];
  const frames: Bet[][] = [];
  let frame: Bet[] = [];
  let bytes = EMPTY_BATCH_BYTES;
  for (const bet of batch) {
    const size = batchFrameSize([bet]) - EMPTY_BATCH_BYTES;
    if (frame.length > 0 && bytes + size > MAX_BATCH_FRAME_BYTES) {
      frames.push(frame);
      frame = [];
      bytes = EMPTY_BATCH_BYTES;
    }
    frame.push(bet);
    bytes += size;
  }
  frames.push(frame);
  return frames;
}
