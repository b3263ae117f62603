import type { Readable } from 'node:stream';
import { map, type Observable } from 'rxjs';
import { fromReadable } from '@tp0/codec';
import type { Bet } from '@tp0/protocol';
import { frameBatches } from './batching.js';
import { betOfRecord } from './csv-rows.js';

/** A batch of the agency's bets: `first` is the 0-based index of its first bet in the file. */
export interface Batch {
  readonly first: number;
  readonly bets: readonly Bet[];
}

export interface SendOptions {
  /** Bets per batch, at most (`batch.maxAmount`). */
  readonly maxAmount: number;
  /** Batches sent and not yet acknowledged, at most (`batch.inFlight`). */
  readonly inFlight: number;
  /** Records the source skips (the bets the server already stored): the first batch starts at this index. */
  readonly skipped: number;
}

/**
 * Rows outstanding (read and not yet acknowledged), at most: the `inFlight` batches awaiting their acks plus the
 * one bufferCount is filling. At least maxAmount, or bufferCount would wait for rows the source does not read.
 */
export const windowRows = ({ maxAmount, inFlight }: Pick<SendOptions, 'maxAmount' | 'inFlight'>) => (inFlight + 1) * maxAmount;

/**
 * The agency's data path: CSV records → bets → frame-sized batches → sent up to `inFlight` ahead of their acks
 * (`inBatches` with that concurrency; `send` resolves when its batch is acknowledged, and the server acks in order,
 * so the batches complete in order). Emits the size of each acknowledged batch.
 *
 * Reading is demand-driven (`fromReadable`): a row counts as outstanding from when it is read until its batch is
 * acknowledged, and at `windowRows` outstanding rows reading stops (csv-parse and the file stream then fill their
 * buffers and pause). Memory holds inFlight + 1 batches plus the stream buffers, whatever the file size.
 *
 * A bad row ends it with its error (see `badRowOf`) after every batch before the row was acknowledged; the bets
 * of the bad row's unfinished batch are not sent. A `send` rejection ends it at once.
 */
export function sendBets(records: Readable, options: SendOptions, send: (batch: Batch) => Promise<void>): Observable<number> {
  const rows = fromReadable<string[]>(records, { window: windowRows(options) });
  let next = options.skipped;
  // inBatches returns a batch's credit when its send settles, and holds a source error until the batches in flight
  // settled (the server may already have stored them, and their acks count as sent).
  return rows.inBatches(
    items => items.pipe(map((record, index) => betOfRecord(record, options.skipped + index)), frameBatches(options.maxAmount)),
    bets => {
      const first = next;
      next += bets.length;
      return send({ first, bets }).then(() => bets.length);
    },
    { concurrency: options.inFlight },
  );
}
