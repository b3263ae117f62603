import { defer, firstValueFrom, from, fromEvent, identity, map, race, takeUntil, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';

/** SIGTERM/SIGINT arrived while the client was waiting: unwind, close what is open, exit 0. */
export class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
  constructor() {
    super('shutdown requested');
  }
}

/** Errors with ShutdownError when the signal aborts. */
function aborted$(signal: AbortSignal) {
  return fromEvent(signal, 'abort').pipe(
    map(() => {
      throw new ShutdownError();
    }),
  );
}

/**
 * Mirrors the source until the signal aborts, then errors with ShutdownError (takeUntil forwards its notifier's
 * error) and unsubscribes from the source: reading and waiting for acks stop.
 */
export function stopOnAbort<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  if (signal === undefined) return identity;
  return takeUntil(defer(() => (signal.aborted ? throwError(() => new ShutdownError()) : aborted$(signal))));
}

/** Resolves as `work` does, or rejects with ShutdownError as soon as the signal aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new ShutdownError());
  }
  const result = firstValueFrom(race(from(work), aborted$(signal)));
  work.catch(() => undefined);
  return result;
}

/** Sleeps `ms`, cut short by the signal (ShutdownError); race() unsubscribes the timer, so nothing lingers. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return firstValueFrom(timer(ms)).then(() => undefined);
  if (signal.aborted) return Promise.reject(new ShutdownError());
  return firstValueFrom(race(timer(ms), aborted$(signal))).then(() => undefined);
}

/** Whether shutdown was requested (a function, so TypeScript does not narrow it across awaits). */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
