/**
 * The draw: one pass over the stored bets (storage/bet-scan.ts) through the DrawSource opened at start-up. It reads
 * 256 KiB at a time and each read returns to the event loop, so sockets keep being served while it runs
 * (2,000,000 rows: see `pnpm bench`).
 */
import type { DrawSource } from './draw-source.js';

/** What the lottery needs of a scan (`DrawSource.scan` also counts each agency's stored bets). */
export interface DrawResult {
  /** Agency -> documents of its winning bets, in file order. */
  readonly winners: Map<number, string[]>;
  /** Stored bets read. */
  readonly rows: number;
}

/** A running draw. */
export interface DrawRun {
  readonly result: Promise<DrawResult>;
  /** Stops reading at the next chunk; `result` then rejects with DrawCancelledError. */
  cancel(): Promise<void>;
}

export class DrawCancelledError extends Error {
  override readonly name = 'DrawCancelledError';
  constructor() {
    super('draw cancelled');
  }
}

export function startDraw(source: DrawSource): DrawRun {
  const abort = new AbortController();
  const result = source.scan(abort.signal);
  result.catch(() => {});
  return {
    result,
    cancel: async () => {
      abort.abort(new DrawCancelledError());
      await result.then(
        () => {},
        () => {},
      );
    },
  };
}
