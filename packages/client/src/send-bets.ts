import type { Readable } from 'node:stream';
import { concatMap, EMPTY, from, map, materialize, throwError, type Observable } from 'rxjs';
import { fromReadable } from '@tp0/codec';
import type { Bet } from '@tp0/protocol';
import { frameBatches } from './batching.js';
import { betOfRecord } from './csv-rows.js';

/**
 * Rows read and not yet acknowledged, at most, in batches of maxAmount. At least 1, or bufferCount(maxAmount) would
 * wait for rows the source does not read; 2 lets the next batch be parsed while the previous one awaits its ack.
 */
export const WINDOW_BATCHES = 2;

/**
 * The agency's data path: CSV records → bets → frame-sized batches → each batch sent, and its ack awaited, before
 * the next (`concatMap`). Emits the size of each acknowledged batch.
 *
 * Reading is demand-driven (`fromReadable`): a row counts as outstanding from when it is read until its batch is
 * acknowledged, and at WINDOW_BATCHES × maxAmount outstanding rows reading stops (csv-parse and the file stream
 * then fill their buffers and pause). Memory holds two batches plus the stream buffers, whatever the file size.
 *
 * A bad row ends it with its error (see `badRowOf`) after every batch before the row was acknowledged; the bets
 * of the bad row's unfinished batch are not sent. A `send` rejection ends it at once.
 */
export function sendBets(records: Readable, maxAmount: number, send: (batch: Bet[]) => Promise<void>): Observable<number> {
  const rows = fromReadable<string[]>(records, { window: WINDOW_BATCHES * maxAmount });
  return rows.pipe(
    map(betOfRecord),
    frameBatches(maxAmount),
    // materialize: an error waits in concatMap's queue behind the batches before it instead of cutting off the
    // batch awaiting its ack (which the server may already have stored).
    materialize(),
    concatMap(event => {
      if (event.kind === 'E') return throwError(() => event.error);
      if (event.kind === 'C') return EMPTY;
      const batch = event.value!;
      return from(send(batch)).pipe(
        map(() => {
          rows.release(batch.length);
          return batch.length;
        }),
      );
    }),
  );
}
