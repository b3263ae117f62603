/**
 * Closes a connection that stays silent, or stuck in the middle of a frame, for longer than `limitMs`. It counts
 * from the last whole message, not the last byte (a peer dribbling a byte a second never completes one), and is
 * paused while the server works on a message (a winners query waiting for the draw is not idle).
 */
export class IdleTimer {
  #timer: NodeJS.Timeout | null = null;
  #busy = 0;
  #stopped = false;

  constructor(
    private readonly limitMs: number,
    private readonly onIdle: () => void,
  ) {
    this.#arm();
  }

  /** A message arrived and its handling starts. */
  busy(): void {
    this.#busy += 1;
    this.#clear();
  }

  /** The handling of a message ended. */
  idle(): void {
    this.#busy -= 1;
    if (this.#busy === 0) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #arm(): void {
    this.#clear();
    if (this.#stopped || this.limitMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#stopped = true;
      this.onIdle();
    }, this.limitMs);
    // A pending idle timeout must not keep a stopping server alive.
    this.#timer.unref();
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
