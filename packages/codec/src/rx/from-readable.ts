import type { Readable } from 'node:stream';
import { Observable, type Subscriber } from 'rxjs';
import { DecodeFailure } from '../stage.js';

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
  /** Marks `count` emitted items as done, letting as many more be read. */
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

  return Object.defineProperties(source, {
    release: {
      value: (count = 1) => {
        outstanding = Math.max(0, outstanding - count);
        // Released from inside a downstream callback: read on the next tick rather than re-entering the pipeline.
        queueMicrotask(pump);
      },
    },
    outstanding: { get: () => outstanding },
  });
}
