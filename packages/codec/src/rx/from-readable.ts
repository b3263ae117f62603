import type { Readable } from 'node:stream';
import { EMPTY, finalize, from, map, materialize, mergeMap, Observable, Subject, take, throwError, type ObservableInput, type OperatorFunction, type Subscriber } from 'rxjs';
import { DecodeFailure } from '../stage.js';

export interface WorkOptions {
  /** Units of work running at once, at most (default 1). */
  readonly concurrency?: number;
}

export interface FromReadableOptions {
  /**
   * Items handed downstream and not yet `release`d, at most. At the bound the source stops reading: the readable
   * fills its buffer and pauses, and through pipes the file or socket behind it. Must cover what one unit of
   * downstream work holds before it can finish (e.g. ≥ n under `bufferCount(n)`), or the pipeline waits forever.
   */
  readonly window: number;
  /** Consulted when the readable ends or fails: an error to end with instead (a transport reset, say). */
  readonly endError?: () => Error | undefined;
}

/**
 * An Observable over a Readable that reads only as fast as the pipeline consumes. RxJS only pushes, so
 * `from(readable)` under a slow `concatMap` reads the whole source ahead; this source is demand-driven instead
 * (the credit idea of Reactive Streams' `request(n)`): it emits while fewer than `window` items are outstanding,
 * and `release(n)` returns credit once the work for n items is done.
 */
export interface DemandSource<T> extends Observable<T> {
  /**
   * Runs `work` on each item, at most `concurrency` at once (default 1, in order); an item's credit returns when its
   * work completes. Emits what the work emits. An error from the source arrives after the work in flight completed.
   */
  each<R>(work: (item: T) => ObservableInput<R>, options?: WorkOptions): Observable<R>;
  /**
   * Groups items with `batches` (an operator whose every output array holds the items it took, in number: `bufferCount(n)`,
   * or `map` then your own grouping), runs `work` on each batch, at most `concurrency` at once, and returns the credit
   * of a batch's items when its work completes. `window` must cover `concurrency` + 1 batches, or reading stops.
   * An error from the source arrives after the batches in flight completed (their work may already have effects).
   */
  inBatches<B, R>(batches: OperatorFunction<T, readonly B[]>, work: (batch: readonly B[]) => ObservableInput<R>, options?: WorkOptions): Observable<R>;
  /** Marks `count` emitted items as done, letting as many more be read. Low level: `each`, `inBatches` and `Connection.handle` call it for you. */
  release(count?: number): void;
  /** Items emitted to the current subscriber and not released yet. */
  readonly outstanding: number;
}

/**
 * A demand-driven Observable over `readable` (object mode, or bytes). One subscriber at a time; a later subscriber
 * continues where the previous one stopped (nothing is dropped on unsubscribe, and the readable is not destroyed).
 * A `DecodeFailure` item, or an 'error' event, ends it with that error after every item before it (a destroyed
 * Readable still hands out what it buffered); the
 * end of the readable completes it. Either end is remembered: later subscribers get it at once.
 * RxJS operators drop what they buffer when an error arrives (concatMap its queue): to handle every item before an
 * error, `materialize()` first, as `Connection.handle` does.
 */
export function fromReadable<T>(readable: Readable, options: FromReadableOptions): DemandSource<T> {
  if (!Number.isInteger(options.window) || options.window < 1) throw new RangeError(`window must be a positive integer, got ${options.window}`);
  let subscriber: Subscriber<T> | undefined;
  let outstanding = 0;
  let ended = false;
  let failure: Error | undefined;
  /** An 'error' event: it ends the source once the items buffered before it are out. */
  let streamError: Error | undefined;

  const finish = (target: Subscriber<T>) => {
    subscriber = undefined;
    const error = failure ?? options.endError?.();
    if (error !== undefined) target.error(error);
    else target.complete();
  };

  const pump = () => {
    for (;;) {
      const target = subscriber;
      if (target === undefined || target.closed) return;
      if (failure !== undefined) return finish(target);
      if (outstanding >= options.window) return;
      const item: unknown = readable.read();
      if (item === null) {
        if (streamError !== undefined) failure = streamError;
        if (ended || failure !== undefined) finish(target);
        return;
      }
      if (item instanceof DecodeFailure) {
        failure = options.endError?.() ?? item.error;
        continue;
      }
      outstanding++;
      target.next(item as T);
    }
  };

  readable.on('readable', pump);
  readable.once('end', () => {
    ended = true;
    pump();
  });
  readable.once('error', error => {
    streamError ??= options.endError?.() ?? error;
    pump();
  });

  const source = new Observable<T>(target => {
    if (subscriber !== undefined && !subscriber.closed) {
      target.error(new Error('fromReadable: this source already has a subscriber'));
      return;
    }
    subscriber = target;
    outstanding = 0;
    pump();
    return () => {
      if (subscriber === target) subscriber = undefined;
    };
  }) as DemandSource<T>;

  const release = (count = 1) => {
    outstanding = Math.max(0, outstanding - count);
    // Released from inside a downstream callback: read on the next tick rather than re-entering the pipeline.
    queueMicrotask(pump);
  };
  return Object.defineProperties(source, {
    each: { value: <R>(work: (item: T) => ObservableInput<R>, options?: WorkOptions) => inBatches(source, map((item: T) => [item]), batch => work(batch[0]!), release, options) },
    inBatches: { value: <B, R>(batches: OperatorFunction<T, readonly B[]>, work: (batch: readonly B[]) => ObservableInput<R>, options?: WorkOptions) => inBatches(source, batches, work, release, options) },
    release: {
      value: release,
    },
    outstanding: { get: () => outstanding },
  });
}

function inBatches<T, B, R>(
  source: Observable<T>,
  batches: OperatorFunction<T, readonly B[]>,
  work: (batch: readonly B[]) => ObservableInput<R>,
  release: (count: number) => void,
  options: WorkOptions = {},
): Observable<R> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  return new Observable<R>(subscriber => {
    let active = 0;
    const drained = new Subject<undefined>();
    return source
      .pipe(
        batches,
        // materialize: an error waits behind the work in flight instead of cutting it off.
        materialize(),
        mergeMap((event): Observable<R> => {
          if (event.kind === 'C') return EMPTY;
          if (event.kind === 'E') return (active === 0 ? from([undefined]) : drained.pipe(take(1))).pipe(mergeMap(() => throwError((): unknown => event.error)));
          const batch = event.value!;
          active++;
          return from(work(batch)).pipe(
            finalize(() => {
              release(batch.length);
              if (--active === 0) drained.next(undefined);
            }),
          );
        }, concurrency),
      )
      .subscribe(subscriber);
  });
}
