/**
 * The draw: every stored bet read once with `loadBets` + `hasWon`, on the main thread. `loadBets` streams the
 * file (16 KiB reads through csv-parse), and the loop also yields to the event loop every DRAW_YIELD_ROWS rows,
 * so sockets keep being served while it runs (2,000,000 rows: event-loop delay p99 a few ms, see `pnpm bench`).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { hasWon, loadBets } from './storage/bets.js';

export interface DrawResult {
  /** Agency -> documents of its winning bets, in file order. */
  readonly winners: Map<number, string[]>;
  /** Stored bets read. */
  readonly rows: number;
}

/** A running draw. */
export interface DrawRun {
  readonly result: Promise<DrawResult>;
  /** Stops reading at the next yield and closes the file; `result` then rejects with DrawCancelledError. */
  cancel(): Promise<void>;
}

export class DrawCancelledError extends Error {
  override readonly name = 'DrawCancelledError';
  constructor() {
    super('draw cancelled');
  }
}

/** Rows handled between two explicit yields to the event loop (~1.3 ms of work at ~400k rows/s). */
export const DRAW_YIELD_ROWS = 512;

export function startDraw(path: string): DrawRun {
  const abort = new AbortController();
  const result = computeWinners(path, abort.signal);
  result.catch(() => {});
  return {
    result,
    cancel: async () => {
      abort.abort();
      await result.then(
        () => {},
        () => {},
      );
    },
  };
}

/** The draw over the stored bets; a bets file that does not exist yet holds no bets. */
export async function computeWinners(path: string, signal?: AbortSignal): Promise<DrawResult> {
  const winners = new Map<number, string[]>();
  let rows = 0;
  try {
    // Leaving the loop (break, throw) returns the generator, whose `finally` destroys the file stream.
    for await (const bet of loadBets(path)) {
      rows += 1;
      if (rows % DRAW_YIELD_ROWS === 0) {
        await yieldToEventLoop();
        if (signal?.aborted) throw new DrawCancelledError();
      }
      if (!hasWon(bet)) continue;
      const documents = winners.get(bet.agency);
      if (documents === undefined) winners.set(bet.agency, [bet.document]);
      else documents.push(bet.document);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (signal?.aborted) throw new DrawCancelledError();
  return { winners, rows };
}
