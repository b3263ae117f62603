/**
 * A connection's one idle timer. It runs while nothing is in progress, from the connection's start (so a silent peer
 * times out while its protocol is still being chosen) and again from the end of the last message's handling; a
 * message in progress (decoded, its handler not finished) holds it. So `timeoutMs` is the longest a peer may go
 * without completing a message, whatever bytes it trickles in.
 */
export class IdleClock {
  readonly timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = 0;
  #stopped = false;
  #fired = false;
  #onIdle: () => void = () => {};

  /** `timeoutMs` of Infinity (or 0) never fires. */
  constructor(timeoutMs: number) {
    if (!(timeoutMs >= 0)) throw new RangeError(`idleTimeout must be a non-negative number of milliseconds, got ${timeoutMs}`);
    this.timeoutMs = timeoutMs;
    this.#restart();
  }

  /** What to do when it fires (once). */
  onIdle(action: () => void): void {
    this.#onIdle = action;
  }

  /** Whether it fired. */
  get fired(): boolean {
    return this.#fired;
  }

  /** A message is in progress: the clock stops until every one is `idle()` again. */
  busy(): void {
    this.#busy++;
    clearTimeout(this.#timer);
  }

  /** A message's handling ended; with none left, the clock starts over. */
  idle(): void {
    this.#busy = Math.max(0, this.#busy - 1);
    if (this.#busy === 0) this.#restart();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #restart(): void {
    clearTimeout(this.#timer);
    if (this.#stopped || this.timeoutMs === 0 || this.timeoutMs === Infinity) return;
    this.#timer = setTimeout(() => {
      this.#fired = true;
      this.stop();
      this.#onIdle();
    }, this.timeoutMs);
  }
}
