import type { Readable } from 'node:stream';

/** Decoded messages waiting for a reader: bounded, so a full queue pauses the source (and through pipes, the socket). */
const HIGH_WATER_MARK = 16;

/**
 * Collects a decoder's messages as they are emitted, so that a later error cannot discard them (a destroyed stream
 * drops its buffer): readers get every message emitted before the error, then the error.
 */
export class MessageQueue<T> {
  readonly #items: T[] = [];
  #end: { error?: Error } | undefined;
  #wake: (() => void) | undefined;

  constructor(private readonly source: Readable) {
    source.on('data', (item: T) => {
      this.#items.push(item);
      if (this.#items.length >= HIGH_WATER_MARK) source.pause();
      this.#notify();
    });
    source.once('end', () => this.finish());
  }

  /** Ends the queue after the items already in it; the first call wins. */
  finish(error?: Error): void {
    if (this.#end !== undefined) return;
    this.#end = error === undefined ? {} : { error };
    this.#notify();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#items.length > 0) {
        const value = this.#items.shift() as T;
        if (this.#items.length < HIGH_WATER_MARK / 2 && this.#end === undefined) this.source.resume();
        return { done: false, value };
      }
      if (this.#end !== undefined) {
        if (this.#end.error !== undefined) throw this.#end.error;
        return { done: true, value: undefined };
      }
      await new Promise<void>(resolve => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
