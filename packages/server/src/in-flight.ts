import { setTimeout as delay } from 'node:timers/promises';

/**
 * The message handlers still running, and whether the server stopped taking new work. A graceful shutdown calls
 * `stop()` (later bets are answered SHUTTING_DOWN), then waits on `settled` before closing client sockets.
 */
export class InFlightWork {
  readonly #running = new Set<Promise<unknown>>();
  #stopping = false;

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Counts `work` as running until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work)).catch(() => {});
    return work;
  }

  stop(): void {
    this.#stopping = true;
  }

  /** Resolves once the work running now settled, or after `graceMs`, whichever is first. */
  async settled(graceMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.#running]), delay(graceMs, undefined, { ref: false })]);
  }
}
